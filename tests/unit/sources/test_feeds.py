"""Feeds served over a local HTTP server: every fixture feed yields entries or a clear error, never a
crash; conditional GET and the seen-entry state make each entry pushed once across restarts."""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Iterator
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from streams.records import RawArticle
from streams.sources.feeds import FeedCursor, FeedSource, FeedState, poll_feed
from streams.sources.inputs import InputError
from tests.conftest import FEEDS

pytestmark = pytest.mark.unit

FEEDPARSER = FEEDS / "feedparser" / "tests"
FAMILIES = sorted({p.parent.relative_to(FEEDPARSER) for p in FEEDPARSER.rglob("*") if p.is_file()})
REAL_FEEDS = sorted((FEEDS / "rss-parser" / "test" / "input").iterdir())


class EtagHandler(SimpleHTTPRequestHandler):
    """Static files with an ETag (the content hash) and If-None-Match support."""

    def send_head(self):  # type: ignore[no-untyped-def]
        path = Path(self.translate_path(self.path))
        if path.is_file():
            etag = '"' + hashlib.sha256(path.read_bytes()).hexdigest()[:16] + '"'
            if self.headers.get("If-None-Match") == etag:
                self.send_response(304)
                self.send_header("ETag", etag)
                self.end_headers()
                return None
            self._etag = etag
        return super().send_head()

    def end_headers(self) -> None:
        if getattr(self, "_etag", None):
            self.send_header("ETag", self._etag)
        super().end_headers()

    def log_message(self, format: str, *args: object) -> None:
        return


@pytest.fixture(scope="module")
def feed_server() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(EtagHandler, directory=str(FEEDS)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def url_of(server: str, path: Path) -> str:
    return f"{server}/{path.relative_to(FEEDS).as_posix()}"


@pytest.mark.parametrize("family", FAMILIES, ids=[str(f) for f in FAMILIES])
def test_fixture_family_yields_entries_or_clear_errors(feed_server: str, family: Path) -> None:
    for path in sorted((FEEDPARSER / family).iterdir()):
        if not path.is_file():
            continue
        poll = poll_feed(url_of(feed_server, path), FeedCursor(), timeout=10)
        assert poll.status == 200
        if poll.error is not None:
            assert poll.items == []
            assert poll.error.startswith(("ill-formed feed:", "feed has no entries"))
            continue
        assert poll.items, path
        for item in poll.items:
            if isinstance(item, InputError):
                assert (item.reason, "neither content" in item.message) == ("no_content", True)
            else:
                assert item.format == "feed"
                assert item.content.strip()
                assert item.fetched_at.tzinfo is not None


@pytest.mark.parametrize("path", REAL_FEEDS, ids=[p.name for p in REAL_FEEDS])
def test_real_feed(feed_server: str, path: Path) -> None:
    poll = poll_feed(url_of(feed_server, path), FeedCursor(), timeout=10)
    if path.name == "unrecognized.rss":  # junk after the document element: a clear error
        assert poll.error is not None
        assert "ill-formed" in poll.error
        return
    assert poll.error is None
    assert poll.items
    articles = [item for item in poll.items if isinstance(item, RawArticle)]
    # One id per distinct entry id (guid); a feed that repeats a guid declares the same entry twice.
    assert len({a.id for a in articles}) == len({a.origin for a in articles})
    rejected = [item for item in poll.items if isinstance(item, InputError)]
    assert all("neither content, summary nor title" in item.message for item in rejected)
    assert {item.reason for item in rejected} <= {"no_content"}
    if path.name in {"missing-fields.atom", "incomplete-fields.atom"}:  # entries with only an id
        assert rejected


def test_encoding_is_decoded(feed_server: str) -> None:
    poll = poll_feed(url_of(feed_server, FEEDS / "rss-parser/test/input/encoding.rss"), FeedCursor(), timeout=10)
    texts = " ".join(item.content + (item.title or "") for item in poll.items if isinstance(item, RawArticle))
    assert "\ufffd" not in texts


def test_conditional_get_and_seen_entries_survive_a_restart(feed_server: str, tmp_path: Path) -> None:
    source = url_of(feed_server, FEEDS / "rss-parser/test/input/guardian.rss")
    state = FeedState(tmp_path / "feeds.json")
    first = poll_feed(source, state.cursor(source), timeout=10)
    assert first.items
    assert first.etag is not None
    state.record(first)

    restarted = FeedState(tmp_path / "feeds.json")
    again = poll_feed(source, restarted.cursor(source), timeout=10)
    assert again.status == 304
    assert again.items == []

    forgetful = FeedCursor(seen=restarted.cursor(source).seen)  # no ETag: full GET, but all entries seen
    full = poll_feed(source, forgetful, timeout=10)
    assert full.status == 200
    assert full.items == []


def test_unreachable_and_missing_feeds_are_errors(feed_server: str) -> None:
    assert poll_feed(f"{feed_server}/nope.xml", FeedCursor(), timeout=5).error == "HTTP 404"
    unreachable = poll_feed("http://127.0.0.1:9/feed.xml", FeedCursor(), timeout=5)
    assert unreachable.error is not None
    assert unreachable.error.startswith("unreachable")


def test_a_feed_source_repeats_a_read_until_it_is_acknowledged(feed_server: str, tmp_path: Path) -> None:
    url = url_of(feed_server, FEEDS / "rss-parser/test/input/guardian.rss")
    source = FeedSource(url, FeedState(tmp_path / "feeds.json"), timeout=10)
    unacknowledged = [item.id for item in source.read() if isinstance(item, RawArticle)]
    again = [item.id for item in source.read() if isinstance(item, RawArticle)]
    assert unacknowledged
    assert again == unacknowledged  # the broker never acked the first read: nothing is lost
    source.acknowledged()

    restarted = FeedSource(url, FeedState(tmp_path / "feeds.json"), timeout=10)
    assert list(restarted.read()) == []
    assert restarted.remark == "not modified"
    dead = FeedSource("http://127.0.0.1:9/feed.xml", FeedState(tmp_path / "other.json"), timeout=5)
    assert list(dead.read()) == []
    assert dead.remark is not None
    assert dead.remark.startswith("feed error: unreachable")
