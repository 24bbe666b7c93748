"""Offsets are committed only for records an agent finished, in an unbroken run per partition.

Faust commits, per partition, the longest run of consecutive *acked* offsets, and only refuses a run
that starts after the committed offset when that offset is known and not 0 — and even then lets one
missing record through (``Consumer._new_offset``). Around a rebalance Faust clears its stream queues
and seeks to the committed offsets, but on a partition nothing was committed on yet (a new worker's
first seconds) records fetched before the rebalance never reached the agent and were not fetched
again, and the first batch acked after them was committed: they were never indexed. Growing the
worker group while producing lost 16 to 84 of 300 articles this way on the 3-broker cluster
(tests/cluster), and 40 and 81 of 200 on one broker with a 1 s delay put into Faust's seek
(tests/integration/test_rebalance.py; seen as an enriched partition committed at 48 by a worker whose
first indexed offset there was 42).

``FinishedOnlyConsumer`` keeps Faust's commit machinery with two rules on top:

- a commit must start at the partition's committed offset (its first offset when none is committed);
  when the run's head is missing the commit waits, and unless the record at that offset is still held
  (taken by a stream and not acked yet: the process agent's actors overlap batches, so a later batch
  of a partition often finishes first) the partition is read again from that offset, once per loss: a
  read again record takes a while to come back through the queue, and rewinding meanwhile re-read
  and re-processed every record after it once more (ids are deterministic: a record processed twice
  is indexed once, but a 1000-article run processed 1740);
- only messages an agent marked with ``finished`` (delivered, indexed or dead-lettered) count as
  acked. Faust's stream also acks messages it skips during a rebalance (``Stream._py_aiter``: "We want
  to ack the filtered out message otherwise the lag would increase") and ``take_events`` acks a batch
  its agent gave up; those are released (so a rebalance does not wait for them) but not committed.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Sequence
from typing import Any
from weakref import WeakSet

import faust
from faust.transport.drivers import aiokafka as faust_aiokafka
from faust.types import TP, Message
from mode.utils.futures import notify

from streams.ops.liveness import PartitionState

log = logging.getLogger(__name__)
STOP_WAIT_SECONDS = 5.0  # how long a stopping worker waits for the batches under way to finish


class FinishedOnlyConsumer(faust_aiokafka.Consumer):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._finished: WeakSet[Message] = WeakSet()
        self._floor: dict[TP, int] = {}  # per partition: the offset the next commit must start from
        self._rewind: set[TP] = set()  # partitions whose first records were dropped: fetch them again
        self._finished_up_to: dict[TP, int] = {}  # per partition: the offset after the last finished record
        self._rewound: dict[TP, int] = {}  # per partition: the offset it was read again from, until a record is dropped

    def finish(self, messages: Sequence[Message]) -> None:
        """Make these messages committable once their streams ack them."""
        self._finished.update(messages)
        for message in messages:
            tp = message.tp
            self._finished_up_to[tp] = max(self._finished_up_to.get(tp, 0), message.offset + 1)

    def partition_states(self) -> dict[TP, PartitionState]:
        """Every held partition's first record not finished here, and its high-water mark."""
        states = {}
        for tp in self.assignment():
            floor = self._floor.get(tp)
            if floor is None:  # assigned a moment ago: not sought yet
                continue
            states[tp] = PartitionState(max(floor, self._finished_up_to.get(tp, 0)), self.highwater(tp))
        return states

    def ack(self, message: Message) -> bool:
        if message in self._finished:
            self._finished.discard(message)
            acked: bool = super().ack(message)
            return acked
        # Skipped or given up: not committable. Stop tracking it so a rebalance's wait_empty ends.
        self._unacked_messages.discard(message)
        self._rewound.pop(message.tp, None)  # a record dropped: the partition may have to be read again
        notify(self._waiting_for_ack)
        return False

    async def perform_seek(self) -> None:
        """After each assignment, and whenever Faust drops fetched records because its flow is stopped:
        read every partition again from where its commits must continue (its committed offset, or its
        first offset when nothing was committed yet), and note that offset.

        Faust's own seek moves only partitions with a committed offset (aiokafka's ``seek_to_committed``
        skips the others). Seen with two workers started together: the first processed every raw
        record while the second joined; in the new generation it fetched the enriched copies on its
        enriched partition, Faust's ``getmany`` dropped them (flow not active) and sought back, but
        nothing was committed there, so the fetch position stayed past them and the index agent never
        got them: a stall, one start in three with one process per worker, that only a timeout
        revealed (no later record came to make ``_new_offset`` notice the gap).

        Seeks run on the consumer's own thread (``seek_wait``): Faust's ``seek`` calls aiokafka from the
        event loop's thread, which raced with the fetcher (a ``KeyError`` in ``fetched_records`` crashed
        a worker once in about 45 joint starts).
        """
        await super().perform_seek()
        assigned = self.assignment()
        floor = {tp: offset for tp in assigned if (offset := self._committed_offset[tp]) is not None}
        uncommitted = [tp for tp in assigned if tp not in floor]
        if uncommitted:
            earliest = await self.earliest_offsets(*uncommitted)
            await self.seek_wait(dict(earliest))
            floor.update(earliest)
        self._floor = floor
        self._finished_up_to = {tp: offset for tp, offset in self._finished_up_to.items() if tp in floor}
        self._rewind.clear()
        self._rewound.clear()

    def _new_offset(self, tp: TP) -> int | None:
        """Faust's next offset to commit, refused when records before the first acked one were never
        acked: Faust checks that only against a known, non-zero committed offset and lets one record
        through, so records dropped from a queue during a rebalance were committed unprocessed."""
        floor = self._floor.get(tp)
        acked = self._acked[tp]
        if floor is not None and acked:
            head = min([*acked, *(interval.begin for interval in self._gap[tp])])
            if head > floor:
                if self._rewound.get(tp) != floor and not self._holds(tp, floor):
                    self._rewind.add(tp)
                return None
        offset: int | None = super()._new_offset(tp)
        if offset is not None:
            self._floor[tp] = offset
        return offset

    async def wait_empty(self) -> None:
        """A rebalance waits for every record a stream took, as Faust does. A stopping worker waits at
        most ``STOP_WAIT_SECONDS``: Faust's wait has no limit (and shrugs off a cancel), so a stop waited
        for the batch in a child and the one buffered behind it (a minute on a loaded machine), or for a
        batch held by retries. What is not finished by then is not committed: it is read again."""
        if self.should_stop or not self.app.should_stop:  # stopped (Faust's wait ends at once) or rebalancing
            await super().wait_empty()
            return
        deadline = time.monotonic() + STOP_WAIT_SECONDS
        while self._unacked_messages and time.monotonic() < deadline:
            await asyncio.sleep(0.1)
            self._clean_unacked_messages()
        if self._unacked_messages:
            log.info("stopping with %d records unfinished: not committed, read again", len(self._unacked_messages))
        await self.commit_and_end_transactions()

    def _holds(self, tp: TP, offset: int) -> bool:
        """Whether a stream took this record and it is not acked yet (in a batch, being processed)."""
        held = (*self._unacked_messages, *self._finished)
        return any(m.offset == offset and m.tp == tp and not m.acked for m in held)

    async def force_commit(self, *args: Any, **kwargs: Any) -> bool:
        committed: bool = await super().force_commit(*args, **kwargs)
        assigned = self.assignment()
        rewind = {tp: self._floor[tp] for tp in self._rewind if tp in assigned}
        for tp, offset in rewind.items():
            log.warning("%s: records from offset %d were dropped unprocessed; reading them again", tp, offset)
        if rewind:
            await self.seek_wait(rewind)
            self._rewound.update(rewind)
        self._rewind.clear()
        return committed


class FinishedOnlyTransport(faust_aiokafka.Transport):
    Consumer = FinishedOnlyConsumer


class NewsflowApp(faust.App):
    """A Faust app whose consumer commits only what the agents finished."""

    def _new_transport(self) -> Any:
        return FinishedOnlyTransport(self.conf.broker_consumer, self)


def finished(stream: Any, events: Sequence[Any]) -> None:
    """Call once a batch's records are done with (delivered downstream, indexed or dead-lettered):
    only then may their offsets be committed."""
    stream.app.consumer.finish([event.message for event in events])
