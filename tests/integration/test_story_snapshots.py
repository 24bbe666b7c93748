"""A worker restarted from a snapshot of its story and event index (streams.dedup.snapshot) answers exactly as a
worker that replayed the whole story log, on the real broker: the same story log is built twice, on
two topics, and the same last entries are answered once by a story log restored from the snapshot
its first run wrote (replaying only the tail) and once by one without snapshots (replaying all)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest
from aiokafka import AIOKafkaProducer
from kafka.admin import KafkaAdminClient

from streams.dedup.entries import decode_entry
from streams.dedup.snapshot import read_snapshot
from streams.dedup.story_records import StoryAssignment, StoryEntry
from streams.kafka.security import aiokafka_options, kafka_python_options
from streams.kafka.story_log import StoryLog
from streams.kafka.topics import create_topics, topic_specs
from streams.pipeline.options import story_options
from streams.settings import Settings
from tests.integration.conftest import wait_for
from tests.unit.dedup.recorded_log import recorded_log

pytestmark = pytest.mark.integration


class LogTopic:
    """The story-log topic as StoryLog appends to it (a Faust topic's ``send``), on a real producer."""

    def __init__(self, producer: AIOKafkaProducer, topic: str) -> None:
        self.producer, self.topic = producer, topic

    async def send(self, key: bytes, value: bytes) -> Any:
        return await self.producer.send(self.topic, value=value, key=key)


@pytest.fixture
def replay_settings(settings: Settings) -> Iterator[Settings]:
    """A second set of topics for the worker that replays everything (no snapshots)."""
    built = settings.replace(**{"topic_prefix": f"{settings.topics.name_prefix}.replay", "story_snapshot_seconds": 0})
    create_topics(built)
    yield built
    admin = KafkaAdminClient(**kafka_python_options(built.kafka))
    try:
        admin.delete_topics([spec.name for spec in topic_specs(built)])
    finally:
        admin.close()


@pytest.fixture
async def producer(settings: Settings) -> AsyncIterator[AIOKafkaProducer]:
    started = AIOKafkaProducer(**aiokafka_options(settings.kafka), acks="all")
    await started.start()
    yield started
    await started.stop()


async def answered(
    log: StoryLog, entries: Sequence[StoryEntry], before_stop: Callable[[], Awaitable[bool]] | None = None
) -> list[StoryAssignment]:
    """Run the log's reader while ``entries`` are appended in batches of 50; the answers; then stop it
    (once ``before_stop`` holds)."""
    reader = asyncio.create_task(log.read_forever())
    try:
        answers: list[StoryAssignment] = []
        for start in range(0, len(entries), 50):
            answers += await log.assign(entries[start : start + 50])
        if before_stop is not None:
            await wait_for(before_stop, timeout=30)
        return answers
    finally:
        reader.cancel()
        await asyncio.gather(reader, return_exceptions=True)


async def run_and_restart(settings: Settings, producer: AIOKafkaProducer, entries: list[StoryEntry]) -> list[Any]:
    """First third through one worker, second through another while the first is down, last third
    through the first worker restarted: its answers."""
    first_part, second_part, last_part = entries[:300], entries[300:450], entries[450:]
    topic = LogTopic(producer, settings.topics.story_log)
    first = StoryLog(settings, story_options(settings), topic)

    async def covered() -> bool:
        """The first worker's snapshot covers its last entry (there is one when snapshots are on)."""
        path = settings.story_snapshot_file
        if path is None:
            return True
        snapshot = await asyncio.to_thread(read_snapshot, path, story_options(settings), settings.topics.story_log)
        return snapshot is not None and snapshot.offsets == {0: first.applied_offset}

    await answered(first, first_part, covered)
    other = StoryLog(settings.replace(story_snapshot_seconds=0), story_options(settings), topic)
    await answered(other, second_part)
    restarted = StoryLog(settings, story_options(settings), topic)
    answers = await answered(restarted, last_part)
    return [restarted.restored_at, len(restarted.index), answers]


@pytest.mark.timeout(240)
async def test_a_worker_restarted_from_its_snapshot_answers_as_a_full_replay(
    settings: Settings, replay_settings: Settings, producer: AIOKafkaProducer, tmp_path: Path
) -> None:
    entries = [decode_entry(value) for value in recorded_log(420)][:600]
    assert len(entries) == 600
    with_snapshots = settings.replace(**{"story_snapshot_dir": tmp_path / "snapshots", "story_snapshot_seconds": 0.001})
    restored_at, restored_size, from_snapshot = await run_and_restart(with_snapshots, producer, entries)
    replayed_at, replayed_size, from_replay = await run_and_restart(replay_settings, producer, entries)

    assert restored_at == 299  # loaded the snapshot of the first 300 entries: replayed only the rest
    assert replayed_at is None
    assert from_snapshot == from_replay
    assert restored_size == replayed_size
    before = {entry.doc_id for entry in entries[:300]}  # re-deliveries of articles from before the restart
    assert any(story.doc_id in before and story.seen_count > 1 for story in from_snapshot)
    assert any(story.duplicate_of for story in from_snapshot)
    events = [story.event for story in from_snapshot]  # the event index came back with the story index
    assert all(event is not None for event in events)
    assert any(event.changed[0].article_count > 1 for event in events if event is not None and event.changed)
