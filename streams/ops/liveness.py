"""Whether every partition a worker holds keeps moving.

A partition *waits* when Kafka holds records on it past the first one this worker has not finished
(``next unfinished offset < high-water mark``). For each waiting partition the watch keeps the time it
first saw it waiting since its last finished record: the age of its oldest waiting record as far as
this worker can tell. A partition waiting longer than ``stall_seconds`` is *stalled* and the worker is
unhealthy (``/ops/health`` answers 503, the readiness probe and the ``NewsflowPartitionStalled`` alert
use it) until a record of it is finished again. An outage the agents wait out (Elasticsearch down)
stalls partitions too, on purpose: records are waiting.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Protocol

from faust.types import TP

from streams.ops.telemetry import Telemetry


@dataclass(frozen=True, slots=True)
class PartitionState:
    """Where a held partition is: its first record not finished here, and Kafka's high-water mark
    (the offset the next record will get; None before the first fetch)."""

    next_unfinished: int
    highwater: int | None


@dataclass
class PartitionWatch:
    stall_seconds: float
    _waiting_since: dict[TP, float] = field(default_factory=dict)
    _last_unfinished: dict[TP, int] = field(default_factory=dict)

    def observe(self, partitions: Mapping[TP, PartitionState], now: float) -> dict[TP, float]:
        """The age in seconds of each held partition's oldest waiting record (0: nothing waits)."""
        ages: dict[TP, float] = {}
        for tp, state in partitions.items():
            moved = self._last_unfinished.get(tp) != state.next_unfinished
            self._last_unfinished[tp] = state.next_unfinished
            if state.highwater is None or state.highwater <= state.next_unfinished:
                self._waiting_since.pop(tp, None)
                ages[tp] = 0.0
                continue
            if moved:
                self._waiting_since[tp] = now
            ages[tp] = now - self._waiting_since.setdefault(tp, now)
        for gone in set(self._waiting_since) - set(partitions):
            del self._waiting_since[gone]
        for gone in set(self._last_unfinished) - set(partitions):
            del self._last_unfinished[gone]
        return ages

    def stalled(self, ages: Mapping[TP, float]) -> list[TP]:
        return [tp for tp, age in ages.items() if age > self.stall_seconds]


class Positions(Protocol):
    def partition_states(self) -> dict[TP, PartitionState]: ...


@dataclass
class Liveness:
    """The watch as the worker runs it: ``check`` every second or so (a Faust timer), results kept for
    ``/ops/health`` and exported as ``newsflow_oldest_waiting_seconds{topic,partition}``."""

    watch: PartitionWatch
    telemetry: Telemetry
    clock: Callable[[], float] = time.monotonic
    stalled: list[tuple[str, int, float]] = field(default_factory=list)  # (topic, partition, age)

    def check(self, consumer: Positions) -> None:
        ages = self.watch.observe(consumer.partition_states(), self.clock())
        gauge = self.telemetry.metrics.oldest_waiting
        gauge.clear()
        for tp, age in ages.items():
            gauge.labels(tp.topic, str(tp.partition)).set(round(age, 1))
        self.stalled = sorted((tp.topic, tp.partition, round(ages[tp], 1)) for tp in self.watch.stalled(ages))

    @property
    def healthy(self) -> bool:
        return not self.stalled
