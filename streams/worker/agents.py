"""Thin Faust agents around the pure stages. Bad records become dead letters; transient trouble with
Kafka or Elasticsearch is retried under the one retry policy (streams.retry) while the batch is held
(a batch is marked ``finished`` only after it was delivered, indexed or dead-lettered, and only
finished records have their offsets committed: streams.worker.acks); anything else raised while indexing a
batch — a bug — is logged with its traceback and dead-letters the batch's records (reason
``index_error``) instead of being retried forever."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from typing import Any, Protocol

from streams.dedup.entries import story_entry
from streams.dedup.story_records import StoryAssignment, StoryEntry
from streams.errors import PoisonRecordError
from streams.kafka.codec import dead_letter, decode_enriched, encode
from streams.kafka.shared_names import SharedNames
from streams.kafka.story_log import StoryLog
from streams.ops.telemetry import Telemetry
from streams.records import DeadLetter, EnrichedArticle, KafkaPosition
from streams.retry import Retrier
from streams.settings import Settings
from streams.sink.documents import document_id, links_field, to_document
from streams.sink.elasticsearch import ArticleIndex, BulkIndexer, Rejected, ensure_index, open_client
from streams.sink.events import ensure_events_index, event_document, newest
from streams.worker.acks import finished
from streams.worker.processing import BatchProcessor, Outcome

log = logging.getLogger(__name__)

Send = Callable[..., Awaitable[Any]]


def position_of(event: Any) -> KafkaPosition:
    message = event.message
    return KafkaPosition(topic=message.topic, partition=message.partition, offset=message.offset)


async def deliver(sends: Sequence[Awaitable[Any]]) -> None:
    """Wait until Kafka acknowledged every send of a batch."""
    futures = [await send for send in sends]
    await asyncio.gather(*futures)


async def publish_outcomes(
    outcomes: Sequence[Outcome], received: Sequence[float], enriched_topic: Any, dead_letter_topic: Any
) -> None:
    """Send each outcome on; an enriched record keeps its raw record's Kafka timestamp (when the
    pipeline received it), which the duplicate stage counts deliveries by."""
    sends = []
    for outcome, timestamp in zip(outcomes, received, strict=True):
        if outcome.letter is not None:
            log.warning("dead letter from %s: %s", outcome.letter.stage, outcome.letter.error_message)
            sends.append(dead_letter_topic.send(key=outcome.key, value=outcome.value))
        else:
            sends.append(enriched_topic.send(key=outcome.key, value=outcome.value, timestamp=timestamp))
    await deliver(sends)


def make_process_agent(
    settings: Settings,
    enriched_topic: Any,
    dead_letter_topic: Any,
    shared: SharedNames,
    processor: BatchProcessor,
    telemetry: Telemetry,
) -> Callable[[Any], Any]:
    """``shared``: the learned-name dictionary and its topic, shared with the other workers. Run with
    one actor per process of ``processor`` (streams.worker.processing)."""

    retrier = Retrier(settings.retry.backoff, telemetry.retried)

    async def process_articles(stream: Any) -> None:
        await shared.wait_caught_up(settings.stories.wait_seconds)
        async for events in stream.take_events(settings.worker.batch_size, within=settings.worker.batch_seconds):
            telemetry.batch_in("process", events, stream.app.consumer.highwater)
            batch = [(e.key, e.value, position_of(e)) for e in events]
            # what every worker learned so far; parsing and enrichment run off the event loop
            process = partial(processor.run, batch, shared.merge())
            processed = await retrier.run("processing articles", process)
            await shared.publish(processed.learned, processed.learned_aliases)
            received = [e.message.timestamp for e in events]
            publish = partial(publish_outcomes, processed.outcomes, received, enriched_topic, dead_letter_topic)
            await retrier.run("publishing processed articles", publish)
            letters = [outcome.letter for outcome in processed.outcomes if outcome.letter is not None]
            telemetry.out("process", len(processed.outcomes) - len(letters))
            telemetry.dead_lettered(letters)
            finished(stream, events)

    return process_articles


def make_index_agent(
    settings: Settings, dead_letter_topic: Any, stories: StoryLog, telemetry: Telemetry
) -> Callable[[Any], Any]:
    retrier = Retrier(settings.retry.backoff, telemetry.retried)

    async def index_articles(stream: Any) -> None:
        async with open_client(settings) as client:
            prepared: list[ArticleIndex] = []

            async def prepare() -> None:
                prepared.append(await ensure_index(client, settings))

            await retrier.run("preparing the article index", prepare)
            await retrier.run("preparing the events index", lambda: ensure_events_index(client, settings))
            indexer = BulkIndexer(client, settings.elasticsearch.articles_alias, settings.sink, retrier)
            events = BulkIndexer(client, settings.elasticsearch.events_index, settings.sink, retrier)
            key_fields = not prepared[-1].server_analysis
            stage = IndexStage(indexer, events, stories, dead_letter_topic, retrier, settings, telemetry, key_fields)
            async for events in stream.take_events(settings.sink.batch_size, within=settings.sink.batch_seconds):
                telemetry.batch_in("index", events, stream.app.consumer.highwater)
                await index_or_dead_letter(events, stage)
                finished(stream, events)

    return index_articles


def sketch_batch(decoded: Sequence[tuple[Any, EnrichedArticle]], num_perm: int) -> list[StoryEntry]:
    return [story_entry(article, num_perm, received_at(event)) for event, article in decoded]


def received_at(event: Any) -> datetime:
    return datetime.fromtimestamp(event.message.timestamp, UTC)


class Stories(Protocol):
    """Gives each entry its story (streams.dedup.log.StoryLog across workers)."""

    async def assign(self, entries: Sequence[StoryEntry]) -> list[StoryAssignment]: ...


@dataclass(frozen=True, slots=True)
class IndexStage:
    """What the index agent works with for every batch."""

    indexer: BulkIndexer
    events: BulkIndexer  # event summaries (streams.sink.events)
    stories: Stories
    dead_letter_topic: Any
    retrier: Retrier
    settings: Settings
    telemetry: Telemetry
    key_fields: bool  # the *_key/*_stem copies, for an index without server-side analysis


async def index_or_dead_letter(events: Sequence[Any], stage: IndexStage) -> None:
    """Index a batch; a failure no retry fixes (a bug) is logged with its traceback and turns the
    batch's records into dead letters (reason ``index_error``, replayable once fixed)."""
    try:
        await index_batch(events, stage)
    except Exception as exc:
        log.exception("indexing a batch of %d failed; its records become dead letters", len(events))
        letters = [dead_letter("index", exc, e.value, position_of(e), e.key) for e in events]
        await publish_dead_letters(letters, stage)


async def publish_dead_letters(letters: Sequence[DeadLetter], stage: IndexStage) -> None:
    sends = [
        partial(
            stage.dead_letter_topic.send,
            key=letter.message_key.encode() if letter.message_key else None,
            value=encode(letter),
        )
        for letter in letters
    ]
    await stage.retrier.run("publishing dead letters", lambda: deliver([send() for send in sends]))
    stage.telemetry.dead_lettered(letters)


def rejection_letter(rejected: Rejected, event: Any) -> DeadLetter:
    error = PoisonRecordError(
        "index",
        "mapping" if rejected.mapping else "rejected",
        f"elasticsearch rejected the document ({rejected.status}): {rejected.reason}",
    )
    return dead_letter("index", error, event.value, position_of(event), event.key)


async def index_batch(events: Sequence[Any], stage: IndexStage) -> None:
    """Decode a batch, give each article its story through the story log, bulk-index it, link the
    earlier articles that listed its headlines, and dead-letter what could not be indexed."""
    now = datetime.now(UTC)
    decoded: list[tuple[Any, EnrichedArticle]] = []
    letters: list[DeadLetter] = []
    for event in events:
        try:
            decoded.append((event, decode_enriched(event.value)))
        except PoisonRecordError as exc:  # a record that violates its schema: dead-letter it, go on
            letters.append(dead_letter("index", exc, event.value, position_of(event), event.key))

    entries = await asyncio.to_thread(sketch_batch, decoded, stage.settings.stories.num_perm)
    assignments = await stage.retrier.run("assigning stories", lambda: stage.stories.assign(entries))
    by_id = {
        document_id(enriched): (event, story, to_document(enriched, now, story, stage.key_fields))
        for (event, enriched), story in zip(decoded, assignments, strict=True)
    }
    started = time.monotonic()
    outcome = await stage.indexer.write([(doc_id, document) for doc_id, (_, _, document) in by_id.items()])
    stage.telemetry.bulk(len(by_id), time.monotonic() - started)
    stage.telemetry.indexed([(by_id[i][2], by_id[i][1], received_at(by_id[i][0])) for i in outcome.indexed])
    letters += [rejection_letter(rejected, by_id[rejected.doc_id][0]) for rejected in outcome.rejected]

    # Articles indexed earlier whose read-also/similar headlines name an article of this batch.
    # An earlier article may be in another worker's batch that is not flushed yet: the update waits for it
    # (settings.sink.link_wait_seconds) instead of counting a 404 as done; one refused here will never come.
    refused = {rejected.doc_id for rejected in outcome.rejected}
    backlinks = {
        doc_id: links for story in assignments for doc_id, links in story.backlinks.items() if doc_id not in refused
    }
    if backlinks:
        updates = [(doc_id, {"links": links_field(links)}) for doc_id, links in backlinks.items()]
        linked_wait = stage.settings.sink.link_wait_seconds
        linked = await stage.indexer.write(updates, partial=True, wait_missing=linked_wait)
        for rejected in linked.rejected:
            log.warning("could not link headlines of %s: %s", rejected.doc_id, rejected.reason)
        for doc_id in linked.missing:
            log.warning("could not link headlines of %s: not indexed within %.0f s", doc_id, linked_wait)
    summaries = newest(summary for story in assignments if story.event for summary in story.event.changed)
    if summaries:
        written = await stage.events.write(
            [(s.event_id, event_document(s)) for s in summaries], versions={s.event_id: s.revision for s in summaries}
        )
        for rejected in written.rejected:
            log.warning("could not write event %s: %s", rejected.doc_id, rejected.reason)
    if letters:
        await publish_dead_letters(letters, stage)
