"""RSS/Atom/JSON feeds: fetch with a conditional GET, parse with feedparser, turn new entries into
RawArticles. A FeedState file remembers each feed's ETag, Last-Modified and the ids of entries already
pushed, so an entry is pushed once across restarts (ids are recorded only after the broker acked them).
"""

from __future__ import annotations

import hashlib
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import feedparser
import orjson

from streams.records import RawArticle
from streams.sources.inputs import InputError, stable_id

USER_AGENT = "newsflow/0.1 (+feed ingestion)"
MAX_SEEN_PER_FEED = 10_000


@dataclass(slots=True)
class FeedCursor:
    etag: str | None = None
    modified: str | None = None
    seen: list[str] = field(default_factory=list)


class FeedState:
    """Per-feed cursors, persisted as JSON in the file the settings name."""

    def __init__(self, path: Path) -> None:
        self.path = path
        raw: dict[str, Any] = orjson.loads(path.read_bytes()) if path.exists() else {}
        self.cursors = {source: FeedCursor(**cursor) for source, cursor in raw.items()}

    def cursor(self, source: str) -> FeedCursor:
        return self.cursors.setdefault(source, FeedCursor())

    def record(self, poll: FeedPoll) -> None:
        """Remember a poll whose entries the broker acknowledged, and write the state file."""
        cursor = self.cursor(poll.source)
        if poll.error is None:
            cursor.etag, cursor.modified = poll.etag, poll.modified
        cursor.seen = [*cursor.seen, *poll.entry_ids][-MAX_SEEN_PER_FEED:]
        self.path.parent.mkdir(parents=True, exist_ok=True)
        temporary = self.path.with_suffix(".tmp")
        temporary.write_bytes(orjson.dumps({source: asdict(c) for source, c in self.cursors.items()}))
        temporary.replace(self.path)


@dataclass(frozen=True, slots=True)
class FeedPoll:
    """One poll of one feed: new entries (or per-entry errors), or why there are none."""

    source: str
    status: int | None
    items: list[RawArticle | InputError]
    entry_ids: list[str]
    error: str | None = None
    etag: str | None = None
    modified: str | None = None


def fetch(source: str, cursor: FeedCursor, timeout: float) -> tuple[int, bytes, dict[str, str]]:
    """GET a feed URL with If-None-Match / If-Modified-Since, or read a local file."""
    if not source.startswith(("http://", "https://")):
        return 200, Path(source).read_bytes(), {}
    request = urllib.request.Request(source, headers={"User-Agent": USER_AGENT, "Accept-Encoding": "identity"})
    if cursor.etag:
        request.add_header("If-None-Match", cursor.etag)
    if cursor.modified:
        request.add_header("If-Modified-Since", cursor.modified)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return int(response.status), response.read(), {k.lower(): v for k, v in response.headers.items()}
    except urllib.error.HTTPError as exc:
        return int(exc.code), b"", {k.lower(): v for k, v in (exc.headers or {}).items()}


def entry_id(entry: Any, source: str) -> str:
    """The entry's own id (guid), else its link, else a hash of its title and date."""
    key = entry.get("id") or entry.get("link")
    if not key:
        basis = f"{source}|{entry.get('title', '')}|{entry.get('published', entry.get('updated', ''))}"
        key = hashlib.sha256(basis.encode("utf-8")).hexdigest()[:32]
    return str(key)


def _published(entry: Any) -> str | None:
    """The entry's date as the feed wrote it (so its zone survives), else feedparser's UTC reading."""
    keys = set(entry.keys())  # not entry.get(): feedparser maps missing "published" to "updated" with a warning
    text = next((entry[k] for k in ("published", "updated") if k in keys and entry[k]), None)
    if text:
        return str(text)
    parsed = next((entry[k] for k in ("published_parsed", "updated_parsed") if k in keys and entry[k]), None)
    if parsed:
        year, month, day, hour, minute, second = parsed[:6]
        return datetime(year, month, day, hour, minute, second, tzinfo=UTC).isoformat()
    return None


def entry_to_raw(entry: Any, feed: Any, source: str, fetched_at: datetime) -> RawArticle | InputError:
    contents = entry.get("content") or []
    body = contents[0].get("value", "") if contents else entry.get("summary", "")
    title = entry.get("title") or None
    origin = f"{source}#{entry_id(entry, source)}"
    if not (body or "").strip():
        body = title or ""
    if not body.strip():
        payload = orjson.dumps(dict(entry), default=str)
        return InputError(origin, "no_content", "feed entry has neither content, summary nor title", payload)
    link = entry.get("link") or None
    authors = tuple(a.get("name", "") for a in entry.get("authors", []) if a.get("name")) or tuple(
        a for a in [entry.get("author")] if a
    )
    return RawArticle(
        id=stable_id(url=entry_id(entry, source)),
        format="feed",
        content=body,
        fetched_at=fetched_at,
        origin=origin,
        title=title,
        url=link,
        source_name=feed.get("title") or None,
        published_at=_published(entry),
        language=(entry.get("language") or feed.get("language") or None),
        authors=authors,
        tags=tuple(t.get("term") for t in entry.get("tags", []) if t.get("term")),
    )


def poll_feed(source: str, cursor: FeedCursor, timeout: float) -> FeedPoll:
    """Fetch and parse one feed; entries already in ``cursor.seen`` are skipped."""
    fetched_at = datetime.now(UTC)
    try:
        status, body, headers = fetch(source, cursor, timeout)
    except (OSError, urllib.error.URLError) as exc:
        return FeedPoll(source, None, [], [], error=f"unreachable: {exc}")
    if status == 304:
        return FeedPoll(source, status, [], [], etag=cursor.etag, modified=cursor.modified)
    if status >= 400:
        return FeedPoll(source, status, [], [], error=f"HTTP {status}")
    parsed = feedparser.parse(body, response_headers=headers)
    etag, modified = headers.get("etag"), headers.get("last-modified")
    if not parsed.entries:
        problem = parsed.get("bozo_exception")
        reason = f"ill-formed feed: {problem}" if parsed.get("bozo") else "feed has no entries"
        return FeedPoll(source, status, [], [], error=reason, etag=etag, modified=modified)
    seen = set(cursor.seen)
    fresh = [(entry_id(e, source), e) for e in parsed.entries]
    fresh = [(i, e) for i, e in fresh if i not in seen]
    items = [entry_to_raw(e, parsed.feed, source, fetched_at) for _, e in fresh]
    return FeedPoll(source, status, items, [i for i, _ in fresh], etag=etag, modified=modified)


class FeedSource:
    """One live feed, polled on each read; entries already acknowledged are skipped, across restarts."""

    def __init__(self, url: str, state: FeedState, timeout: float) -> None:
        self.url = url
        self.state = state
        self.timeout = timeout
        self._poll: FeedPoll | None = None

    @property
    def name(self) -> str:
        return self.url

    @property
    def remark(self) -> str | None:
        if self._poll is None:
            return None
        if self._poll.error is not None:
            return f"feed error: {self._poll.error}"
        return "not modified" if self._poll.status == 304 else None

    def expected(self) -> int | None:
        return None

    def read(self) -> Iterator[RawArticle | InputError]:
        self._poll = poll_feed(self.url, self.state.cursor(self.url), self.timeout)
        return iter(self._poll.items)

    def acknowledged(self) -> None:
        if self._poll is not None:
            self.state.record(self._poll)
