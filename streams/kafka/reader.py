"""Follows a topic from its start with a group-less aiokafka consumer, reconnecting after errors: how
every worker reads the whole of a shared topic (learned names, the story log) rather than a share of
its partitions."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from aiokafka import AIOKafkaConsumer, TopicPartition

from streams.kafka.security import aiokafka_options
from streams.settings import Settings

log = logging.getLogger(__name__)

RETRY_SECONDS = 5.0


async def follow_topic(
    settings: Settings,
    topic: str,
    handle: Callable[[Sequence[Any]], Awaitable[None]],
    resume_at: Callable[[int], int | None] = lambda partition: None,
    poll_ms: int = 500,
    caught_up: Callable[[], None] = lambda: None,
) -> None:
    """Call ``handle`` with each fetch's records (also with none, so callers see the reader is alive).

    ``resume_at(partition)`` is the offset to go on from after a reconnect, or None for the beginning;
    ``caught_up()`` is called once every partition was read up to where it ended when reading began.
    """
    while True:
        consumer = AIOKafkaConsumer(
            **aiokafka_options(settings.kafka), enable_auto_commit=False, auto_offset_reset="earliest"
        )
        try:
            await consumer.start()
            metadata = await consumer._client.fetch_all_metadata()
            partitions = [TopicPartition(topic, p) for p in sorted(metadata.partitions_for_topic(topic) or ())]
            consumer.assign(partitions)
            for partition in partitions:
                offset = resume_at(partition.partition)
                if offset is None:
                    await consumer.seek_to_beginning(partition)
                else:
                    consumer.seek(partition, offset)
            ends = await consumer.end_offsets(partitions)
            while True:
                batches = await consumer.getmany(timeout_ms=poll_ms)
                await handle([message for messages in batches.values() for message in messages])
                if ends and all([await consumer.position(p) >= end for p, end in ends.items()]):
                    caught_up()
                    ends = {}
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("reading %s failed; retrying in %.0f s", topic, RETRY_SECONDS)
            await asyncio.sleep(RETRY_SECONDS)
        finally:
            await consumer.stop()


async def topic_bounds(settings: Settings, topic: str) -> dict[int, tuple[int, int]]:
    """partition -> (first offset still stored, offset the next record will get)."""
    consumer = AIOKafkaConsumer(**aiokafka_options(settings.kafka), enable_auto_commit=False)
    try:
        await consumer.start()
        metadata = await consumer._client.fetch_all_metadata()
        partitions = [TopicPartition(topic, p) for p in sorted(metadata.partitions_for_topic(topic) or ())]
        beginnings = await consumer.beginning_offsets(partitions)
        ends = await consumer.end_offsets(partitions)
        return {p.partition: (beginnings[p], ends[p]) for p in partitions}
    finally:
        await consumer.stop()
