"""The process agent, thin around the pure stages (the index agent: streams.worker.index_agent). Bad
records become dead letters; transient trouble with Kafka is retried under the one retry policy
(streams.retry) while the batch is held (a batch is marked ``finished`` only after it was delivered or
dead-lettered, and only finished records have their offsets committed: streams.worker.acks)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from functools import partial
from typing import Any

from streams.kafka.shared_names import SharedNames
from streams.ops.telemetry import Telemetry
from streams.records import KafkaPosition
from streams.retry import Retrier
from streams.settings import Settings
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
