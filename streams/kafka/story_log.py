"""The story log: how several workers share one story space.

Every article's sketch (a StoryEntry) is appended to one single-partition topic. Each worker reads
that topic from its start with its own group-less consumer and applies every entry, in log order, to
its local StoryIndex. Because the log totally orders the entries and StoryIndex is deterministic, all
workers hold the same index and give each entry the same answer, whichever worker appends it and from
whichever partition its article came: two copies of a story arriving on different partitions (or
workers) meet in the log, and the one appended first is the representative.

A worker that appends entries waits until its reader has applied them (by offset) and takes the
answers from there. The log's retention is the story window; entries older than the window are
dropped by Kafka and forgotten by the index. A restarted worker loads its latest snapshot of the index
(streams.dedup.snapshot, written every ``stories.snapshot_seconds``) and replays the log only after the
offset the snapshot covers; without a usable snapshot it replays the whole log.

This replaces repartitioning by LSH band (a topic keyed by band and per-band tables): with bands, one
article's candidates arrive from many partitions and must be gathered again, and two copies processed
at the same moment on two bands can each miss the other; the single log has neither problem. Its cost
is one partition for all entries (about 0.7 KB each; one partition takes far more than news volumes)
and every worker holding the whole window's index (bench/dedup_report.py measures its size).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Sequence
from typing import Any

from streams.dedup.entries import decode_entry, encode_entry
from streams.dedup.options import StoryOptions
from streams.dedup.snapshot import read_snapshot, write_snapshot
from streams.dedup.stories import StoryIndex
from streams.dedup.story_records import StoryAssignment, StoryEntry
from streams.errors import TransientError
from streams.kafka.reader import RETRY_SECONDS, follow_topic, topic_bounds
from streams.settings import Settings

log = logging.getLogger(__name__)


class StoryLog:
    def __init__(self, settings: Settings, options: StoryOptions, topic: Any) -> None:
        self.settings = settings
        self.options = options
        self.snapshot_file = settings.story_snapshot_file
        self._topic = topic
        self.index = StoryIndex.configured(options)
        self._applied_offset = -1
        self._waiting: set[str] = set()  # deliveries this worker appended and waits for
        self._answers: dict[int, tuple[str, StoryAssignment]] = {}  # offset -> (delivery, answer)
        self._progress = asyncio.Condition()
        self.last_poll: float | None = None  # time.monotonic() of the last successful fetch (Kafka health)
        self._snapshot_at = time.monotonic()
        self._snapshot_offset = -1  # the applied offset the latest snapshot covers
        self.restored_at: int | None = None  # the offset the snapshot loaded at start covered
        self._restored = asyncio.Event()  # set once the snapshot is loaded or known unusable

    @property
    def applied_offset(self) -> int:
        return self._applied_offset

    async def assign(self, entries: Sequence[StoryEntry]) -> list[StoryAssignment]:
        """Append ``entries`` and return their stories once the reader applied them.

        Waits as long as the reader makes progress (a restarted worker first replays the whole log);
        raises TransientError when the reader applied nothing for the configured wait. The caller retries
        the whole batch, and re-appended entries are recognised as replays.
        """
        try:  # nothing is appended before the index is restored: a snapshot could cover it unanswered
            await asyncio.wait_for(self._restored.wait(), self.settings.stories.wait_seconds)
        except TimeoutError as exc:
            raise TransientError("the story index is still being restored") from exc
        deliveries = {f"{e.doc_id}@{e.delivery}" for e in entries}
        self._waiting |= deliveries
        try:
            sends = [await self._topic.send(key=e.doc_id.encode(), value=encode_entry(e)) for e in entries]
            offsets = [metadata.offset for metadata in await asyncio.gather(*sends)]
            last = max(offsets, default=-1)
            async with self._progress:
                while self._applied_offset < last:
                    before = self._applied_offset
                    try:
                        await asyncio.wait_for(self._progress.wait(), self.settings.stories.wait_seconds)
                    except TimeoutError as exc:
                        if self._applied_offset == before:
                            raise TransientError("the story log reader made no progress") from exc
            return [self._answers[offset][1] for offset in offsets]
        finally:
            self._waiting -= deliveries
            for offset in [o for o, (delivery, _) in self._answers.items() if delivery in deliveries]:
                del self._answers[offset]

    def apply(self, offset: int, value: bytes) -> None:
        try:
            entry = decode_entry(value)
        except Exception:  # a bad line must not stop the log for every worker
            log.exception("skipping unreadable story-log entry at offset %d", offset)
            return
        answer = self.index.apply(entry)
        delivery = f"{entry.doc_id}@{entry.delivery}"
        if delivery in self._waiting:
            self._answers[offset] = (delivery, answer)

    async def restore(self) -> bool:
        """Load the snapshot, if there is a usable one; returns whether it was loaded."""
        if self.snapshot_file is None:
            return False
        topic = self.settings.topics.story_log
        snapshot = await asyncio.to_thread(read_snapshot, self.snapshot_file, self.options, topic)
        if snapshot is None:
            return False
        while True:
            try:
                bounds = await topic_bounds(self.settings, topic)
                break
            except Exception:
                log.exception("reading the bounds of %s failed; retrying in %.0f s", topic, RETRY_SECONDS)
                await asyncio.sleep(RETRY_SECONDS)
        if set(snapshot.offsets) != set(bounds) or any(o >= bounds[p][1] for p, o in snapshot.offsets.items()):
            # another log under the same name (deleted and created again): its offsets mean nothing here
            log.warning("ignoring story snapshot at %s for a log now at %s", snapshot.offsets, bounds)
            return False
        self.index = snapshot.index
        self._applied_offset = self._snapshot_offset = snapshot.offsets[0]
        self.restored_at = self._applied_offset
        log.info("story index restored at offset %d (%d members)", self._applied_offset, len(self.index))
        return True

    async def read_forever(self) -> None:
        """Restore the latest snapshot, follow the log from there (else from its start); after a
        reconnect, go on where the index is."""
        await self.restore()
        self._restored.set()
        await follow_topic(
            self.settings,
            self.settings.topics.story_log,
            self._take,
            resume_at=lambda partition: self._applied_offset + 1 if self._applied_offset >= 0 else None,
            poll_ms=200,
        )

    async def _take(self, messages: Sequence[Any]) -> None:
        self.last_poll = time.monotonic()
        if not messages:
            return
        for message in messages:
            if message.value is not None:
                self.apply(message.offset, message.value)
            self._applied_offset = message.offset
        async with self._progress:
            self._progress.notify_all()
        await self._snapshot_when_due()

    async def _snapshot_when_due(self) -> None:
        """Write a snapshot if one is due and the index moved since the last. The reader waits meanwhile
        (nothing else changes the index), so the snapshot is exactly the index at its offset."""
        path = self.snapshot_file
        if path is None or self._applied_offset <= self._snapshot_offset:
            return
        if time.monotonic() - self._snapshot_at < self.settings.stories.snapshot_seconds:
            return
        offset = self._applied_offset
        topic = self.settings.topics.story_log
        try:
            await asyncio.to_thread(write_snapshot, path, self.index, self.options, topic, {0: offset})
        except Exception:  # a snapshot only saves replay time: never let it stop the reader
            log.exception("could not write the story snapshot %s", path)
        self._snapshot_at = time.monotonic()
        self._snapshot_offset = offset
