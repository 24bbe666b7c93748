"""Thin Faust agents around the pure stages. Exceptions never escape an agent: bad records become
dead letters, and trouble with Kafka or Elasticsearch is retried with backoff while the batch is held
(Faust's ``take_events`` acks a batch only after the loop body finished with it, so offsets are
committed only for records that were indexed or dead-lettered)."""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime
from functools import partial
from typing import Any

from streams.codec import dead_letter, decode_enriched, encode
from streams.dedup.entries import story_entry
from streams.dedup.log import StoryLog
from streams.dedup.stories import StoryAssignment, StoryEntry
from streams.enrich.names import NameDictionary
from streams.errors import PoisonRecordError
from streams.ops.telemetry import Telemetry
from streams.pipeline import process_value
from streams.records import DeadLetter, EnrichedArticle, SourcePosition
from streams.settings import Settings
from streams.shared_names import SharedNames
from streams.sink.documents import document_id, links_field, to_document
from streams.sink.elasticsearch import ArticleIndex, BulkIndexer, ensure_index, open_client

log = logging.getLogger(__name__)

Send = Callable[..., Awaitable[Any]]


def position_of(event: Any) -> SourcePosition:
    message = event.message
    return SourcePosition(topic=message.topic, partition=message.partition, offset=message.offset)


async def retry_forever(
    what: str, action: Callable[[], Awaitable[None]], max_backoff: float, telemetry: Telemetry
) -> None:
    """Run ``action`` until it succeeds; the stream stays paused meanwhile (backpressure)."""
    attempt = 0
    while True:
        try:
            await action()
            return
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            attempt += 1
            telemetry.retried(what)
            delay = min(max_backoff, 0.5 * 2 ** min(attempt, 10)) * random.uniform(0.5, 1.0)
            log.warning("%s failed (%s: %s); retry %d in %.1fs", what, type(exc).__name__, exc, attempt, delay)
            await asyncio.sleep(delay)


async def deliver(sends: Sequence[Awaitable[Any]]) -> None:
    """Wait until Kafka acknowledged every send of a batch."""
    futures = [await send for send in sends]
    await asyncio.gather(*futures)


async def publish_outcomes(
    outcomes: Sequence[tuple[bytes | None, EnrichedArticle | DeadLetter]],
    received: Sequence[float],
    enriched_topic: Any,
    dead_letter_topic: Any,
) -> None:
    """Send each outcome on; an enriched record keeps its raw record's Kafka timestamp (when the
    pipeline received it), which the duplicate stage counts deliveries by."""
    sends = []
    for (key, outcome), timestamp in zip(outcomes, received, strict=True):
        if isinstance(outcome, DeadLetter):
            log.warning("dead letter from %s: %s", outcome.stage, outcome.error_message)
            sends.append(dead_letter_topic.send(key=key, value=encode(outcome)))
        else:
            value = encode(outcome)
            sends.append(enriched_topic.send(key=outcome.article.id.encode(), value=value, timestamp=timestamp))
    await deliver(sends)


def process_batch(
    events: Sequence[tuple[bytes | None, bytes, SourcePosition]], max_bytes: int, names: NameDictionary
) -> list[tuple[bytes | None, EnrichedArticle | DeadLetter]]:
    return [(key, process_value(value, position, key, max_bytes, names)) for key, value, position in events]


def make_process_agent(
    settings: Settings, enriched_topic: Any, dead_letter_topic: Any, shared: SharedNames, telemetry: Telemetry
) -> Callable[[Any], Any]:
    """``shared``: the learned-name dictionary and its topic, shared with the other workers."""

    async def process_articles(stream: Any) -> None:
        async for events in stream.take_events(settings.process_batch_size, within=settings.process_batch_seconds):
            telemetry.batch_in("process", events, stream.app.consumer.highwater)
            names = shared.merge()  # what every worker learned so far
            batch = [(e.key, e.value, position_of(e)) for e in events]
            # Parsing and enrichment are CPU work: run them off the event loop so heartbeats and
            # sends keep flowing while a batch is processed.
            outcomes = await asyncio.to_thread(process_batch, batch, settings.max_payload_bytes, names)
            await shared.publish_learned()
            received = [e.message.timestamp for e in events]
            publish = partial(publish_outcomes, outcomes, received, enriched_topic, dead_letter_topic)
            await retry_forever("publishing processed articles", publish, settings.sink_max_backoff_seconds, telemetry)
            letters = [outcome for _, outcome in outcomes if isinstance(outcome, DeadLetter)]
            telemetry.out("process", len(outcomes) - len(letters))
            telemetry.dead_lettered(letters)

    return process_articles


def make_index_agent(
    settings: Settings, dead_letter_topic: Any, stories: StoryLog, telemetry: Telemetry
) -> Callable[[Any], Any]:
    async def index_articles(stream: Any) -> None:
        async with open_client(settings) as client:
            prepared: list[ArticleIndex] = []

            async def prepare() -> None:
                prepared.append(await ensure_index(client, settings))

            await retry_forever("preparing the article index", prepare, settings.sink_max_backoff_seconds, telemetry)
            indexer = BulkIndexer(client, settings.articles_alias, settings)
            key_fields = not prepared[-1].server_analysis
            async for events in stream.take_events(settings.sink_batch_size, within=settings.sink_batch_seconds):
                telemetry.batch_in("index", events, stream.app.consumer.highwater)
                await index_batch(events, indexer, stories, dead_letter_topic, settings, telemetry, key_fields)

    return index_articles


def sketch_batch(decoded: Sequence[tuple[Any, EnrichedArticle]], num_perm: int) -> list[StoryEntry]:
    return [story_entry(article, num_perm, received_at(event)) for event, article in decoded]


def received_at(event: Any) -> datetime:
    return datetime.fromtimestamp(event.message.timestamp, UTC)


async def index_batch(
    events: Sequence[Any],
    indexer: BulkIndexer,
    stories: StoryLog,
    dead_letter_topic: Any,
    settings: Settings,
    telemetry: Telemetry,
    key_fields: bool,
) -> None:
    """Decode a batch, give each article its story through the story log, then bulk-index it (with the
    *_key/*_stem copies when ``key_fields``)."""
    now = datetime.now(UTC)
    decoded: list[tuple[Any, EnrichedArticle]] = []
    letters: list[DeadLetter] = []
    for event in events:
        try:
            decoded.append((event, decode_enriched(event.value)))
        except Exception as exc:  # poison (schema) or a bug on one record: dead-letter it, go on
            letters.append(dead_letter("index", exc, event.value, position_of(event), event.key))

    entries = await asyncio.to_thread(sketch_batch, decoded, settings.dedup_num_perm)
    assignments: list[StoryAssignment] = []

    async def assign() -> None:
        assignments[:] = await stories.assign(entries)

    await retry_forever("assigning stories", assign, settings.sink_max_backoff_seconds, telemetry)
    documents: dict[str, dict[str, Any]] = {}
    events_by_id: dict[str, Any] = {}
    stories_by_id: dict[str, StoryAssignment] = {}
    for (event, enriched), story in zip(decoded, assignments, strict=True):
        doc_id = document_id(enriched)
        documents[doc_id] = to_document(enriched, now, story, key_fields)
        events_by_id[doc_id] = event
        stories_by_id[doc_id] = story

    async def write() -> None:
        started = time.monotonic()
        outcome = await indexer.write(list(documents.items()))
        telemetry.bulk(len(documents), time.monotonic() - started)
        telemetry.indexed([(documents[i], stories_by_id[i], received_at(events_by_id[i])) for i in outcome.indexed])
        for rejected in outcome.rejected:
            event = events_by_id[rejected.doc_id]
            error = PoisonRecordError(
                "index", f"elasticsearch rejected the document ({rejected.status}): {rejected.reason}"
            )
            letters.append(dead_letter("index", error, event.value, position_of(event), event.key))

    await retry_forever("indexing a batch", write, settings.sink_max_backoff_seconds, telemetry)

    # Articles indexed earlier whose read-also/similar headlines name an article of this batch.
    backlinks = {doc_id: links for story in assignments for doc_id, links in story.backlinks.items()}
    if backlinks:
        updates = [(doc_id, {"links": links_field(links)}) for doc_id, links in backlinks.items()]

        async def link() -> None:
            outcome = await indexer.write(updates, partial=True)
            for rejected in outcome.rejected:
                log.warning("could not link headlines of %s: %s", rejected.doc_id, rejected.reason)

        await retry_forever("linking headlines", link, settings.sink_max_backoff_seconds, telemetry)

    async def publish_letters() -> None:
        await deliver(
            [
                dead_letter_topic.send(key=letter.key.encode() if letter.key else None, value=encode(letter))
                for letter in letters
            ]
        )

    if letters:
        await retry_forever("publishing dead letters", publish_letters, settings.sink_max_backoff_seconds, telemetry)
        telemetry.dead_lettered(letters)
