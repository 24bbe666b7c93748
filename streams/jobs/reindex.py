"""``newsflow reindex``: re-enrich the archive into a new index while ingestion and search go on.

The raw topic is the archive (its retention: ``NEWSFLOW_RAW_RETENTION_MS``, forever by default). A
reindex reads it from the start through today's parse + enrich into a new concrete index behind the
article alias, then moves the alias:

1. **copy**: raw records -> enriched documents in the new index. Stories, seen counts, links and
   ``indexed_at`` are the live document's (read by id from the old index): the story log decided them
   and re-running it would only redo the same. A record whose document is not indexed yet is skipped
   and looked at again in step 3. Passes repeat until one reads at most one batch.
2. **writes move**: one atomic alias update makes the new index the write index and adds it with a
   ``match_none`` filter, so the workers now write (documents and link updates) to the new index while
   searches still see exactly the old one (never fewer hits, never a document twice).
3. **tail**: once the old index is quiet (the bulks sent before step 2 landed), the records the copy
   skipped or did not reach are re-enriched; story fields are merged (see ``merged_story``) with what
   the worker wrote meanwhile, under optimistic concurrency (``if_seq_no``) so neither side is lost.
4. **reconcile**: every old document is compared with the new one: story fields and links the old
   one gained after it was copied are merged in; a document the raw topic no longer holds (retention)
   is copied as it is, old ``enrichment_version`` included, so nothing disappears.
5. **switch**: the new index is refreshed, then one atomic alias update leaves only the new index.
   ``--remove-old`` deletes the old one afterwards.

Progress (raw offsets per partition after each flushed bulk, the new index, the phase) is a
document in ``<alias>.reindex``: a reindex killed at any point continues from there when run again,
and since every write is by article id, records read twice are written twice to the same result.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import asdict, dataclass, field
from functools import partial
from typing import Any, Literal, Protocol

from aiokafka import AIOKafkaConsumer, TopicPartition
from elasticsearch import AsyncElasticsearch, ConflictError, NotFoundError
from elasticsearch.helpers import async_scan

from streams.enrich.enricher import EnrichmentContext
from streams.enrich.names import NameDictionary
from streams.errors import ConfigurationError
from streams.jobs.reindexed_documents import STORY_FIELDS, merged_story, reenriched
from streams.kafka.security import aiokafka_options
from streams.kafka.shared_names import SharedNames
from streams.pipeline.process import process_values
from streams.pipeline.stages import enrichment_context, field_mappings
from streams.records import EnrichedArticle, KafkaPosition
from streams.retry import Retrier
from streams.settings import Settings
from streams.sink.documents import document_id
from streams.sink.elasticsearch import BulkIndexer, ensure_index

log = logging.getLogger(__name__)

Phase = Literal["copy", "writes_moved", "switched"]
STATE_ID = "state"
RECONCILE_PAGE = 500
QUIET_CHECKS = 3  # the old index is quiet after this many unchanged indexing counts in a row


@dataclass(slots=True)
class ReindexState:
    old_index: str  # the concrete index behind the alias when the reindex began
    new_index: str
    version: str  # the enrichment_version the new index is written with
    phase: Phase = "copy"
    positions: dict[str, int] = field(default_factory=dict)  # raw partition -> next offset to read
    recheck: dict[str, int] = field(default_factory=dict)  # partition -> first offset skipped by the copy
    tail: dict[str, int] = field(default_factory=dict)  # partition -> next offset of the tail pass
    done: int = 0  # raw records read so far


@dataclass(slots=True)
class ReindexReport:
    old_index: str
    new_index: str
    version: str
    read: int = 0
    written: int = 0
    skipped: int = 0  # dead letters, and records with no live document (indexed later, or never)
    merged: int = 0  # documents whose story fields or links were merged during tail and reconcile
    kept_as_is: int = 0  # old documents the raw topic no longer holds
    resumed: bool = False
    removed_old: bool = False


class Progress(Protocol):
    """What the reindex tells its caller (the CLI draws a bar)."""

    def phase(self, name: str, total: int | None) -> None: ...

    def advance(self, count: int) -> None: ...


def state_index(settings: Settings) -> str:
    return f"{settings.elasticsearch.articles_alias}.reindex"


def next_index_name(alias: str, existing: Sequence[str]) -> str:
    """``<alias>-NNNNNN`` one past the highest number among ``existing``."""
    numbers = [int(name.rsplit("-", 1)[1]) for name in existing if name.rsplit("-", 1)[1].isdigit()]
    return f"{alias}-{max(numbers, default=0) + 1:06d}"


class Reindex:
    """One reindex of the article alias, new or resumed from its state document (see the module doc)."""

    def __init__(self, settings: Settings, client: AsyncElasticsearch, retrier: Retrier, progress: Progress) -> None:
        self.settings = settings
        self.client = client
        self.retrier = retrier
        self.progress = progress
        self.alias = settings.elasticsearch.articles_alias
        self.data: EnrichmentContext = enrichment_context(settings.enrichment)
        self.names = NameDictionary()
        self.key_fields = False

    async def run(self, remove_old: bool) -> ReindexReport:
        # the template of this version, with the fields of the enrichers in use
        index = await ensure_index(self.client, self.settings, field_mappings(self.settings.enrichment))
        self.key_fields = not index.server_analysis
        state = await self._load()
        if state.version != self.data.version:
            raise ConfigurationError(
                f"a reindex to enrichment {state.version} is under way and this one runs {self.data.version}: "
                f"finish it with the same data, or delete the index {state_index(self.settings)} and {state.new_index}"
            )
        if not await self.client.indices.exists(index=state.new_index):
            await self.client.indices.create(index=state.new_index)  # settings and mappings from the template
        report = ReindexReport(state.old_index, state.new_index, state.version, resumed=state.done > 0)
        await self._read_names()
        if state.phase == "copy":
            await self._copy(state, report)
            await self._move_writes(state)
        if state.phase == "writes_moved":
            await self._wait_quiet(state.old_index)
            await self._tail(state, report)
            await self._reconcile(state, report)
            await self.client.indices.refresh(index=state.new_index)
            await self._switch(state)
        if remove_old:
            await self.client.indices.delete(index=state.old_index, ignore_unavailable=True)
            report.removed_old = True
        await self.client.indices.delete(index=state_index(self.settings), ignore_unavailable=True)
        return report

    # state ------------------------------------------------------------------------------------
    async def _load(self) -> ReindexState:
        name = state_index(self.settings)
        try:
            found = await self.client.get(index=name, id=STATE_ID)
            return ReindexState(**found["_source"])
        except NotFoundError:
            pass
        behind = list(await self.client.indices.get_alias(name=self.alias))
        if len(behind) != 1:
            raise ConfigurationError(f"{self.alias} points to {behind}, and no reindex state says why")
        (old_index,) = behind
        existing = list(await self.client.indices.get(index=f"{self.alias}-*"))
        state = ReindexState(
            old_index=old_index, new_index=next_index_name(self.alias, existing), version=self.data.version
        )
        if not await self.client.indices.exists(index=name):
            await self.client.indices.create(
                index=name, mappings={"dynamic": False}, settings={"number_of_replicas": 0}
            )
        await self._save(state)
        return state

    async def _save(self, state: ReindexState) -> None:
        await self.client.index(index=state_index(self.settings), id=STATE_ID, document=asdict(state), refresh=True)

    async def _read_names(self) -> None:
        """Names every worker learned so far (the names topic), so history is enriched with all of them."""
        shared = SharedNames(self.settings, self.names, topic=None)
        reader = asyncio.create_task(shared.read_forever())
        await shared.wait_caught_up(self.settings.stories.wait_seconds)
        reader.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await reader
        shared.merge()

    # raw topic --------------------------------------------------------------------------------
    async def _read(self, starts: dict[int, int], handle: Callable[[list[Any]], Awaitable[None]], what: str) -> int:
        """Read the raw topic from ``starts`` to its end offsets (taken now) in batches; returns how many
        records were read."""
        consumer = AIOKafkaConsumer(**aiokafka_options(self.settings.kafka), enable_auto_commit=False)
        await consumer.start()
        try:
            topic = self.settings.topics.raw
            metadata = await consumer._client.fetch_all_metadata()
            partitions = [TopicPartition(topic, p) for p in sorted(metadata.partitions_for_topic(topic) or ())]
            consumer.assign(partitions)
            beginnings = await consumer.beginning_offsets(partitions)
            ends = await consumer.end_offsets(partitions)
            for tp in partitions:
                consumer.seek(tp, max(starts.get(tp.partition, 0), beginnings[tp]))
            left = sum(max(ends[tp] - max(starts.get(tp.partition, 0), beginnings[tp]), 0) for tp in partitions)
            self.progress.phase(what, left)
            read = 0
            while any([await consumer.position(tp) < ends[tp] for tp in partitions]):
                fetched = await consumer.getmany(timeout_ms=1000, max_records=self.settings.sink.batch_size)
                messages = [m for tp, batch in fetched.items() for m in batch if m.offset < ends[tp]]
                if messages:
                    await handle(messages)
                    self.progress.advance(len(messages))
                    read += len(messages)
            return read
        finally:
            await consumer.stop()

    def _enrich(self, messages: Sequence[Any]) -> list[EnrichedArticle]:
        """A batch through parse + enrich as the worker runs it (every sentence tagged in one pass)."""
        records = [(m.key, m.value, KafkaPosition(m.topic, m.partition, m.offset)) for m in messages]
        outcomes = process_values(records, self.data, self.settings.inputs.max_payload_bytes, self.names)
        return [o for o in outcomes if isinstance(o, EnrichedArticle)]

    async def _documents(self, index: str, ids: Sequence[str]) -> dict[str, dict[str, Any]]:
        if not ids:
            return {}
        found = await self.retrier.run("reading documents", lambda: self.client.mget(index=index, ids=list(ids)))
        return {
            d["_id"]: {**d["_source"], "_seq_no": d["_seq_no"], "_primary_term": d["_primary_term"]}
            for d in found["docs"]
            if d.get("found")
        }

    # 1. copy ----------------------------------------------------------------------------------
    async def _copy(self, state: ReindexState, report: ReindexReport) -> None:
        indexer = BulkIndexer(self.client, state.new_index, self.settings.sink, self.retrier)

        async def handle(messages: list[Any]) -> None:
            articles = await asyncio.to_thread(self._enrich, messages)
            live = await self._documents(state.old_index, [document_id(a) for a in articles])
            documents = [
                (document_id(a), reenriched(a, live[document_id(a)], self.key_fields))
                for a in articles
                if document_id(a) in live
            ]
            await indexer.write(documents)
            missing = {document_id(a) for a in articles if document_id(a) not in live}
            for message in messages:
                partition = str(message.partition)
                if message.key is not None and message.key.decode("utf-8", "replace") in missing:
                    state.recheck.setdefault(partition, message.offset)
                state.positions[partition] = max(state.positions.get(partition, 0), message.offset + 1)
            state.done += len(messages)
            report.read += len(messages)
            report.written += len(documents)
            report.skipped += len(messages) - len(documents)
            await self._save(state)  # after the bulk: a crash re-reads at most this batch

        while True:  # until a pass finds at most one batch more: the copy has caught up
            starts = {int(p): o for p, o in state.positions.items()}
            if await self._read(starts, handle, "re-enriching") <= self.settings.sink.batch_size:
                return

    # 2. writes move ----------------------------------------------------------------------------
    async def _move_writes(self, state: ReindexState) -> None:
        await self.client.indices.update_aliases(
            actions=[
                {"add": {"index": state.old_index, "alias": self.alias, "is_write_index": False}},
                {
                    "add": {
                        "index": state.new_index,
                        "alias": self.alias,
                        "is_write_index": True,
                        "filter": {"match_none": {}},  # searches see the old index only until the switch
                    }
                },
            ]
        )
        state.phase = "writes_moved"
        await self._save(state)

    async def _wait_quiet(self, index: str) -> None:
        """Until the old index's count of write operations stops moving (bulks in flight have landed)."""
        self.progress.phase("waiting for writes in flight", None)
        last, same = -1, 0
        while same < QUIET_CHECKS:
            stats = await self.client.indices.stats(index=index, metric="indexing")
            total = int(stats["_all"]["primaries"]["indexing"]["index_total"])
            same = same + 1 if total == last else 0
            last = total
            await asyncio.sleep(self.settings.sink.batch_seconds)

    # 3. tail -----------------------------------------------------------------------------------
    async def _tail(self, state: ReindexState, report: ReindexReport) -> None:
        async def handle(messages: list[Any]) -> None:
            articles = await asyncio.to_thread(self._enrich, messages)
            for article in articles:
                if await self._merge_into_new(state, document_id(article), article):
                    report.written += 1
            for message in messages:
                state.tail[str(message.partition)] = message.offset + 1
            report.read += len(messages)
            await self._save(state)

        if not state.tail:  # from what the copy skipped or did not reach
            state.tail = {p: min(offset, state.recheck.get(p, offset)) for p, offset in state.positions.items()}
            await self._save(state)
        await self._read({int(p): offset for p, offset in state.tail.items()}, handle, "tail")

    async def _merge_into_new(self, state: ReindexState, doc_id: str, article: EnrichedArticle | None) -> bool:
        """Write ``article`` (re-enriched; None: keep the new document's enrichment, or the old one's when
        the new index lacks it) with story fields merged from both indices; retried on a concurrent write."""
        while True:
            old = (await self._documents(state.old_index, [doc_id])).get(doc_id)
            new = (await self._documents(state.new_index, [doc_id])).get(doc_id)
            present = [doc for doc in (old, new) if doc is not None]
            if not present:
                return False  # never indexed (a dead letter); if it comes later, the worker writes it
            story = merged_story(*present)
            if article is not None:
                document = reenriched(article, {**present[0], **story}, self.key_fields)
            else:
                base = new if new is not None else old
                assert base is not None
                document = {k: v for k, v in base.items() if not k.startswith("_")}
                if new is not None and all(new.get(k) == v for k, v in story.items()):
                    return False
                document.update(story)
            if new is not None:
                concurrency: dict[str, Any] = {"if_seq_no": new["_seq_no"], "if_primary_term": new["_primary_term"]}
            else:
                concurrency = {"op_type": "create"}
            write = partial(self.client.index, index=state.new_index, id=doc_id, document=document, **concurrency)
            try:
                await self.retrier.run("merging a document", write)
                return True
            except ConflictError:  # a worker wrote it meanwhile: merge again with what it wrote
                continue

    # 4. reconcile ------------------------------------------------------------------------------
    async def _reconcile(self, state: ReindexState, report: ReindexReport) -> None:
        count = (await self.client.count(index=state.old_index))["count"]
        self.progress.phase("reconciling", count)
        page: list[dict[str, Any]] = []
        async for hit in async_scan(self.client, index=state.old_index, query={"query": {"match_all": {}}}, size=500):
            page.append(hit)
            if len(page) == RECONCILE_PAGE:
                await self._reconcile_page(state, page, report)
                page = []
        await self._reconcile_page(state, page, report)

    async def _reconcile_page(self, state: ReindexState, hits: list[dict[str, Any]], report: ReindexReport) -> None:
        new = await self._documents(state.new_index, [hit["_id"] for hit in hits])
        for hit in hits:
            current = new.get(hit["_id"])
            if current is None:
                report.kept_as_is += await self._merge_into_new(state, hit["_id"], None)
            elif merged_story(hit["_source"], current) != {
                **{k: current[k] for k in STORY_FIELDS if k in current},
                "links": current.get("links", []),
            }:
                report.merged += await self._merge_into_new(state, hit["_id"], None)
        self.progress.advance(len(hits))

    # 5. switch ---------------------------------------------------------------------------------
    async def _switch(self, state: ReindexState) -> None:
        await self.client.indices.update_aliases(
            actions=[
                {"remove": {"index": state.old_index, "alias": self.alias, "must_exist": False}},
                {"add": {"index": state.new_index, "alias": self.alias, "is_write_index": True}},
            ]
        )
        state.phase = "switched"
        await self._save(state)
