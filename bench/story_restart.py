"""Seconds from a worker's restart to its first story answer, with a long story log on the real broker.

Generates ``--entries`` story-log entries (synthetic: random MinHash signatures, a fifth of them near
copies of a recent entry and a twentieth exact copies, spread over six days so that all of them are in
the window) onto a story-log topic of its own, then measures, each in a fresh process, the time from
constructing the worker's StoryLog to the answer for one new entry appended at the end:

- ``reference``: the index before it became compact (bench.dedup_reference), replaying the whole log;
- ``full``: the compact index, no snapshot, replaying the whole log;
- ``snapshot``: the compact index, loading a snapshot that covers all but the last ``--tail`` entries
  (written beforehand from the same entries) and replaying the tail.

Also the processes' peak RSS and the snapshot's size and write time. Deletes its topics afterwards.

    .venv/bin/python -m bench.story_restart --entries 1000000 [--tail 10000] [--modes snapshot,full,reference]
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from uuid import uuid4

import numpy as np
from aiokafka import AIOKafkaProducer
from kafka import KafkaProducer
from kafka.admin import KafkaAdminClient

from bench.dedup_reference import ReferenceStoryIndex
from bench.report import publish
from streams.dedup.entries import encode_entry
from streams.dedup.snapshot import write_snapshot
from streams.dedup.stories import StoryIndex
from streams.dedup.story_records import StoryEntry
from streams.kafka.security import aiokafka_options, kafka_python_options
from streams.kafka.story_log import StoryLog
from streams.kafka.topics import create_topics, topic_specs
from streams.pipeline.options import story_options
from streams.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
START = datetime(2026, 1, 1, tzinfo=UTC)
SPAN = timedelta(days=6)  # inside the default 7-day window: every entry stays a member
CHUNK = 10_000
RECENT = 1000


def generated(count: int, seed: int = 5) -> Iterator[StoryEntry]:
    """Deterministic synthetic entries (the same ``count`` and ``seed`` give the same log)."""
    rng = np.random.default_rng(seed)
    recent: list[StoryEntry] = []  # the last RECENT entries, a ring
    for first in range(0, count, CHUNK):
        size = min(CHUNK, count - first)
        signatures = rng.integers(0, 2**32, size=(size, 64), dtype=np.uint32)
        kinds = rng.random(size)
        for offset in range(size):
            n = first + offset
            signature, fingerprint = signatures[offset], f"{n:032x}"
            if recent and kinds[offset] < 0.25:  # a copy of one of the last entries
                base = recent[int(rng.integers(len(recent)))]
                signature = base.signature.copy()
                if kinds[offset] < 0.2:  # near copy: some values differ (estimated Jaccard 0.7-1)
                    changed = rng.choice(64, size=int(rng.integers(1, 20)), replace=False)
                    signature[changed] = signatures[offset][changed]
                else:  # exact copy
                    fingerprint = base.fingerprint
            seen = START + SPAN * n / count
            entry = StoryEntry(
                doc_id=hashlib.blake2b(str(n).encode(), digest_size=16).hexdigest(),
                delivery=seen.isoformat(),
                seen_at=seen,
                source=f"source-{n % 50}",
                fingerprint=fingerprint,
                signature=signature,
                title_key=f"عنوان الخبر رقم {n}",
            )
            if len(recent) < RECENT:
                recent.append(entry)
            else:
                recent[n % RECENT] = entry
            yield entry


def produce(settings: Settings, count: int) -> float:
    producer = KafkaProducer(**kafka_python_options(settings.kafka), linger_ms=50, batch_size=1 << 20, acks=1)
    start = time.monotonic()
    try:
        for entry in generated(count):
            producer.send(settings.topics.story_log, key=entry.doc_id.encode(), value=encode_entry(entry))
        producer.flush()
    finally:
        producer.close()
    return time.monotonic() - start


class LogTopic:
    """The story-log topic as StoryLog appends to it (what the Faust topic's ``send`` does)."""

    def __init__(self, producer: AIOKafkaProducer, topic: str) -> None:
        self.producer, self.topic = producer, topic

    async def send(self, key: bytes, value: bytes) -> Any:
        return await self.producer.send(self.topic, value=value, key=key)


async def first_answer(settings: Settings, mode: str, count: int) -> dict[str, Any]:
    """In this process: restart a StoryLog, append one new entry, wait for its answer."""
    probe = next(e for n, e in enumerate(generated(count + 1, seed=6)) if n == count)
    producer = AIOKafkaProducer(**aiokafka_options(settings.kafka), acks="all")
    await producer.start()
    try:
        start = time.monotonic()
        log = StoryLog(settings, story_options(settings), LogTopic(producer, settings.topics.story_log))
        if mode == "reference":
            log.index = ReferenceStoryIndex.configured(story_options(settings))  # type: ignore[assignment]
        reader = asyncio.create_task(log.read_forever())
        (story,) = await log.assign([probe])
        seconds = time.monotonic() - start
        reader.cancel()
        await asyncio.gather(reader, return_exceptions=True)
    finally:
        await producer.stop()
    return {
        "seconds_to_first_answer": round(seconds, 2),
        "restored_at_offset": log.restored_at,
        "entries_replayed": log.applied_offset - (log.restored_at if log.restored_at is not None else -1),
        "members": len(log.index),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "answer_story_id": story.story_id,
    }


def prepare_snapshot(settings: Settings, count: int, tail: int) -> dict[str, Any]:
    """The snapshot a worker would have written after applying all but the last ``tail`` entries."""
    index = StoryIndex.configured(story_options(settings))
    for n, entry in enumerate(generated(count)):
        if n == count - tail:
            break
        index.apply(entry)
    path = settings.story_snapshot_file
    assert path is not None
    start = time.monotonic()
    write_snapshot(path, index, story_options(settings), settings.topics.story_log, {0: count - tail - 1})
    return {"snapshot_write_seconds": round(time.monotonic() - start, 2), "snapshot_mb": path.stat().st_size >> 20}


def measured(settings: Settings, mode: str, count: int) -> dict[str, Any]:
    """``first_answer`` in a fresh process (its own memory and imports)."""
    command = [sys.executable, "-m", "bench.story_restart", "--measure", mode, "--entries", str(count)]
    env = settings.to_environment(os.environ)
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, check=True, timeout=6 * 3600)
    result: dict[str, Any] = json.loads(done.stdout.decode().strip().splitlines()[-1])
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=1_000_000)
    parser.add_argument("--tail", type=int, default=10_000, help="entries after the snapshot")
    parser.add_argument("--modes", default="snapshot,full,reference")
    parser.add_argument("--measure", help=argparse.SUPPRESS)  # in the child process: one mode
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(asyncio.run(first_answer(Settings(), args.measure, args.entries))))
        return
    unique = uuid4().hex[:8]
    with tempfile.TemporaryDirectory() as tmp:
        base = Settings(topic_prefix=f"bench.restart.{unique}", story_snapshot_dir=Path(tmp))
        create_topics(base)
        try:
            report: dict[str, Any] = {"entries": args.entries, "tail": args.tail}
            report["produce_seconds"] = round(produce(base, args.entries), 1)
            for mode in args.modes.split(","):
                if mode == "snapshot":
                    on = base.replace(**{"story_snapshot_seconds": 10**9})
                    report |= prepare_snapshot(on, args.entries, args.tail)
                    report[mode] = measured(on, mode, args.entries)
                else:
                    report[mode] = measured(base.replace(**{"story_snapshot_seconds": 0}), mode, args.entries)
        finally:
            admin = KafkaAdminClient(**kafka_python_options(base.kafka))
            try:
                admin.delete_topics([spec.name for spec in topic_specs(base)])
            finally:
                admin.close()
    report["measured_at"] = datetime.now(UTC).isoformat()
    publish(f"story_restart-{args.entries}", report)


if __name__ == "__main__":
    main()
