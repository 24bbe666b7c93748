"""All four delivered shapes (scraped text, HTML page, JSON records, RSS feed) through `newsflow
process` and through the running pipeline into Elasticsearch; a live feed polled twice pushes once."""

from __future__ import annotations

import gzip
import itertools
import shutil
import subprocess
import threading
from collections.abc import Callable, Iterator
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import orjson
import pytest
from elasticsearch import AsyncElasticsearch

from streams.settings import Settings
from tests.conftest import SAUDI_SAMPLE, SEED_ARTICLE, TRAFILATURA
from tests.integration.conftest import wait_for

pytestmark = pytest.mark.integration

Cli = Callable[..., subprocess.CompletedProcess[bytes]]

ARABIC_FEED = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>أخبار تجريبية</title><link>https://example.org/</link><language>ar</language>
<item><guid>https://example.org/a/1</guid><link>https://example.org/a/1</link><title>افتتاح معرض الكتاب في الرياض</title>
<pubDate>Wed, 26 Nov 2025 08:30:00 +0300</pubDate><category>ثقافة</category>
<description><![CDATA[<p>افتتح اليوم معرض الرياض الدولي للكتاب بمشاركة أكثر من ألف دار نشر.</p><p>ويستمر المعرض عشرة أيام.</p>]]></description></item>
<item><guid>https://example.org/a/2</guid><link>https://example.org/a/2</link><title>ارتفاع أسعار النفط</title>
<pubDate>Wed, 26 Nov 2025 09:00:00 +0300</pubDate><category>اقتصاد</category>
<description>ارتفعت أسعار النفط في التعاملات المبكرة اليوم بعد قرار خفض الإنتاج.</description></item>
</channel></rss>"""


@pytest.fixture
def shapes(tmp_path: Path) -> Path:
    folder = tmp_path / "inputs"
    folder.mkdir()
    shutil.copy(SEED_ARTICLE, folder / "seed.txt")
    page = gzip.decompress((TRAFILATURA / "pages" / "blog.python.org.html.gz").read_bytes())
    (folder / "page.html").write_bytes(page)
    (folder / "records.jsonl").write_bytes(b"".join(itertools.islice(SAUDI_SAMPLE.open("rb"), 3)))
    (folder / "news.rss").write_text(ARABIC_FEED, encoding="utf-8")
    return folder


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        return


@pytest.fixture
def feed_url(tmp_path: Path) -> Iterator[str]:
    served = tmp_path / "served"
    served.mkdir()
    (served / "feed.xml").write_text(ARABIC_FEED, encoding="utf-8")
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(QuietHandler, directory=str(served)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/feed.xml"
    server.shutdown()
    server.server_close()


async def all_docs(es: AsyncElasticsearch, settings: Settings) -> dict[str, dict[str, object]]:
    await es.indices.refresh(index=settings.elasticsearch.articles_alias)
    response = await es.search(index=settings.elasticsearch.articles_alias, size=100, query={"match_all": {}})
    return {hit["_id"]: hit["_source"] for hit in response["hits"]["hits"]}


@pytest.mark.usefixtures("worker")
async def test_four_shapes_flow_into_elasticsearch(
    settings: Settings, es: AsyncElasticsearch, run_cli: Cli, shapes: Path
) -> None:
    offline = [orjson.loads(line) for line in run_cli("process", str(shapes)).stdout.splitlines()]
    assert len(offline) == 1 + 1 + 3 + 2
    run_cli("produce", "--no-progress", str(shapes))

    async def everything_indexed() -> dict[str, dict[str, object]] | None:
        docs = await all_docs(es, settings)
        return docs if len(docs) == len(offline) else None

    docs = await wait_for(everything_indexed)
    assert set(docs) == {record["article"]["id"] for record in offline}
    by_title = {str(doc["title"]): doc for doc in docs.values()}
    page = by_title["Python 3.6.0 is now available!"]
    assert page["language"] == "en"
    assert page["published_at"] == "2016-12-23T00:00:00+00:00"
    book_fair = by_title["افتتاح معرض الكتاب في الرياض"]
    assert [t["label"] for t in book_fair["tags"] if t["kind"] == "page"] == ["ثقافة"]
    assert book_fair["source"] == {"name": "أخبار تجريبية", "domain": "example.org"}
    assert book_fair["published_at"] == "2025-11-26T08:30:00+03:00"
    assert (
        book_fair["body"]
        == "افتتح اليوم معرض الرياض الدولي للكتاب بمشاركة أكثر من ألف دار نشر.\n\nويستمر المعرض عشرة أيام."
    )
    assert sum(doc["source"]["name"] == "صدى البلد" for doc in docs.values()) == 1


@pytest.mark.usefixtures("worker")
async def test_polling_a_feed_twice_pushes_each_entry_once(
    settings: Settings, es: AsyncElasticsearch, run_cli: Cli, feed_url: str, tmp_path: Path
) -> None:
    state = tmp_path / "feed-state.json"
    first = run_cli("produce", "--feed", feed_url, env_overrides={"NEWSFLOW_FEED_STATE_FILE": str(state)})
    assert b": 2 produced" in first.stderr
    second = run_cli("produce", "--feed", feed_url, env_overrides={"NEWSFLOW_FEED_STATE_FILE": str(state)})
    assert b": 0 produced" in second.stderr
    assert b"(not modified)" in second.stderr  # the conditional GET answered 304

    async def two_indexed() -> bool:
        return len(await all_docs(es, settings)) == 2

    await wait_for(two_indexed)
