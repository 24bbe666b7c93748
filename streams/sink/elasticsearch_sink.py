"""The Elasticsearch sink: articles into the alias (bulk, under the one retry policy), then the links of
earlier articles that listed this batch's headlines, then the events' summaries."""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass

from elasticsearch import AsyncElasticsearch

from streams.sink.documents import links_field, with_key_fields
from streams.sink.elasticsearch import ArticleIndex, BulkIndexer, create_client, ensure_index
from streams.sink.events import ensure_events_index, event_document, newest
from streams.sink.protocol import Refused, SinkRecord, SinkSetup

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Connected:
    """What ``start`` made: the client, the article index and the two bulk writers."""

    client: AsyncElasticsearch
    index: ArticleIndex
    articles: BulkIndexer
    events: BulkIndexer


class ElasticsearchSink:
    name = "elasticsearch"

    def __init__(self, setup: SinkSetup) -> None:
        self.settings = setup.settings
        self.retrier = setup.retrier
        self.fields = setup.fields
        self.on_bulk = setup.on_bulk
        self._connected: Connected | None = None

    @property
    def connected(self) -> Connected:
        if self._connected is None:
            raise RuntimeError("the Elasticsearch sink writes only after start()")
        return self._connected

    async def start(self) -> None:
        """Open the client, prepare the article index (the enrichers' fields mapped) and the events index."""
        settings, client = self.settings, create_client(self.settings)
        prepared: list[ArticleIndex] = []

        async def prepare() -> None:
            prepared.append(await ensure_index(client, settings, self.fields))

        try:
            await self.retrier.run("preparing the article index", prepare)
            await self.retrier.run("preparing the events index", lambda: ensure_events_index(client, settings))
        except BaseException:
            await client.close()
            raise
        es = settings.elasticsearch
        self._connected = Connected(
            client,
            prepared[-1],
            BulkIndexer(client, es.articles_alias, settings.sink, self.retrier),
            BulkIndexer(client, es.events_index, settings.sink, self.retrier),
        )

    async def stop(self) -> None:
        connected, self._connected = self._connected, None
        if connected is not None:
            await connected.client.close()

    async def write(self, records: Sequence[SinkRecord]) -> list[Refused]:
        key_fields = not self.connected.index.server_analysis
        documents = [(r.doc_id, with_key_fields(r.document) if key_fields else r.document) for r in records]
        started = time.monotonic()
        outcome = await self.connected.articles.write(documents)
        if self.on_bulk is not None:
            self.on_bulk(len(documents), time.monotonic() - started)
        refused = [
            Refused(r.doc_id, "mapping" if r.mapping else "rejected", f"({r.status}) {r.reason}")
            for r in outcome.rejected
        ]
        await self._link(records, {r.doc_id for r in refused})
        await self._summarize(records)
        return refused

    async def _link(self, records: Sequence[SinkRecord], refused: set[str]) -> None:
        """Articles indexed earlier whose read-also/similar headlines name an article of this batch. An
        earlier article may be in another worker's batch that is not flushed yet: the update waits for it
        (``sink.link_wait_seconds``) instead of counting a 404 as done; one refused here will never come."""
        backlinks = {
            doc_id: links
            for record in records
            for doc_id, links in record.story.backlinks.items()
            if doc_id not in refused
        }
        if not backlinks:
            return
        updates = [(doc_id, {"links": links_field(links)}) for doc_id, links in backlinks.items()]
        wait = self.settings.sink.link_wait_seconds
        linked = await self.connected.articles.write(updates, partial=True, wait_missing=wait)
        for rejected in linked.rejected:
            log.warning("could not link headlines of %s: %s", rejected.doc_id, rejected.reason)
        for doc_id in linked.missing:
            log.warning("could not link headlines of %s: not indexed within %.0f s", doc_id, wait)

    async def _summarize(self, records: Sequence[SinkRecord]) -> None:
        summaries = newest(s for r in records if r.story.event for s in r.story.event.changed)
        if not summaries:
            return
        written = await self.connected.events.write(
            [(s.event_id, event_document(s)) for s in summaries], versions={s.event_id: s.revision for s in summaries}
        )
        for rejected in written.rejected:
            log.warning("could not write event %s: %s", rejected.doc_id, rejected.reason)
