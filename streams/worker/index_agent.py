"""The index agent: each batch of enriched records gets its stories through the shared story log, then
goes to every sink in use (streams.sink.protocol), in order. Refused records become dead letters;
transient trouble is waited out inside the sinks under the one retry policy while the batch is held (a
batch is ``finished`` only after every sink returned, and only finished records have their offsets
committed: streams.worker.acks); anything else raised while indexing a batch — a bug — is logged with
its traceback and dead-letters the batch's records (reason ``index_error``) instead of being retried
forever."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from typing import Any, Protocol

from streams.dedup.entries import story_entry
from streams.dedup.story_records import StoryAssignment, StoryEntry
from streams.errors import PoisonRecordError
from streams.kafka.codec import dead_letter, decode_enriched, encode
from streams.kafka.story_log import StoryLog
from streams.ops.telemetry import Telemetry
from streams.records import DeadLetter, EnrichedArticle
from streams.retry import Retrier
from streams.settings import Settings
from streams.sink.documents import document_id, to_document
from streams.sink.protocol import Refused, Sink, SinkRecord
from streams.worker.acks import finished
from streams.worker.agents import deliver, position_of

log = logging.getLogger(__name__)


class Stories(Protocol):
    """Gives each entry its story (streams.kafka.story_log.StoryLog across workers)."""

    async def assign(self, entries: Sequence[StoryEntry]) -> list[StoryAssignment]: ...


@dataclass(frozen=True, slots=True)
class IndexStage:
    """What the index agent works with for every batch."""

    sinks: Sequence[Sink]
    stories: Stories
    dead_letter_topic: Any
    retrier: Retrier
    settings: Settings
    telemetry: Telemetry


def make_index_agent(
    settings: Settings, dead_letter_topic: Any, stories: StoryLog, sinks: Sequence[Sink], telemetry: Telemetry
) -> Callable[[Any], Any]:
    retrier = Retrier(settings.retry.backoff, telemetry.retried)

    async def index_articles(stream: Any) -> None:
        for sink in sinks:
            await retrier.run(f"starting the {sink.name} sink", sink.start)
        stage = IndexStage(sinks, stories, dead_letter_topic, retrier, settings, telemetry)
        try:
            async for events in stream.take_events(settings.sink.batch_size, within=settings.sink.batch_seconds):
                telemetry.batch_in("index", events, stream.app.consumer.highwater)
                await index_or_dead_letter(events, stage)
                finished(stream, events)
        finally:
            for sink in sinks:
                await sink.stop()

    return index_articles


def sketch_batch(decoded: Sequence[tuple[Any, EnrichedArticle]], num_perm: int) -> list[StoryEntry]:
    return [story_entry(article, num_perm, received_at(event)) for event, article in decoded]


def received_at(event: Any) -> datetime:
    return datetime.fromtimestamp(event.message.timestamp, UTC)


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


def refusal_letter(refused: Refused, sink: str, event: Any) -> DeadLetter:
    error = PoisonRecordError("index", refused.reason, f"the {sink} sink refused the document: {refused.message}")
    return dead_letter("index", error, event.value, position_of(event), event.key)


async def index_batch(events: Sequence[Any], stage: IndexStage) -> None:
    """Decode a batch, give each article its story through the story log, write it to every sink, and
    dead-letter what could not be written."""
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
    records = {
        document_id(enriched): (
            event,
            SinkRecord(
                document_id(enriched),
                to_document(enriched, now, story),
                story,
                position_of(event),
                received_at(event),
            ),
        )
        for (event, enriched), story in zip(decoded, assignments, strict=True)
    }
    for sink in stage.sinks:
        refused = await sink.write([record for _, record in records.values()])
        for refusal in refused:
            event, _ = records.pop(refusal.doc_id)
            letters.append(refusal_letter(refusal, sink.name, event))
    stage.telemetry.indexed([(r.document, r.story, r.received_at) for _, r in records.values()])
    if letters:
        await publish_dead_letters(letters, stage)
