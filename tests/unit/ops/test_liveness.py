"""The partition watch: the age of each held partition's oldest waiting record, and when it is stalled."""

from __future__ import annotations

from faust.types import TP

from streams.ops.liveness import Liveness, PartitionState, PartitionWatch
from streams.ops.telemetry import Telemetry

RAW = TP("raw", 0)
ENRICHED = TP("enriched", 1)


def test_a_partition_with_nothing_waiting_is_zero_and_never_stalls() -> None:
    watch = PartitionWatch(stall_seconds=10)
    for now in (0.0, 50.0, 100.0):
        ages = watch.observe({RAW: PartitionState(next_unfinished=7, highwater=7)}, now)
        assert ages == {RAW: 0.0}
        assert watch.stalled(ages) == []


def test_waiting_records_age_until_one_is_finished() -> None:
    watch = PartitionWatch(stall_seconds=10)
    assert watch.observe({RAW: PartitionState(3, 5)}, 100.0) == {RAW: 0.0}
    assert watch.observe({RAW: PartitionState(3, 9)}, 108.0) == {RAW: 8.0}  # more arrive: still the same wait
    ages = watch.observe({RAW: PartitionState(3, 9)}, 111.0)
    assert watch.stalled(ages) == [RAW]
    assert watch.observe({RAW: PartitionState(6, 9)}, 112.0) == {RAW: 0.0}  # progress: the wait starts again
    assert watch.observe({RAW: PartitionState(9, 9)}, 130.0) == {RAW: 0.0}


def test_a_partition_not_fetched_yet_does_not_wait_and_one_given_away_is_forgotten() -> None:
    watch = PartitionWatch(stall_seconds=10)
    assert watch.observe({RAW: PartitionState(0, None), ENRICHED: PartitionState(0, 4)}, 0.0) == {
        RAW: 0.0,
        ENRICHED: 0.0,
    }
    assert watch.observe({RAW: PartitionState(0, None)}, 30.0) == {RAW: 0.0}
    assert watch.observe({RAW: PartitionState(0, None), ENRICHED: PartitionState(0, 4)}, 35.0) == {
        RAW: 0.0,
        ENRICHED: 0.0,  # back after a rebalance: waiting from now, not from before
    }


class Held:
    def __init__(self, states: dict[TP, PartitionState]) -> None:
        self.states = states

    def partition_states(self) -> dict[TP, PartitionState]:
        return self.states


def test_liveness_exports_the_ages_and_turns_unhealthy_past_the_stall_time() -> None:
    clock = iter([0.0, 5.0, 21.0, 22.0])
    telemetry = Telemetry()
    liveness = Liveness(PartitionWatch(stall_seconds=20), telemetry, clock=lambda: next(clock))
    held = Held({RAW: PartitionState(0, 0), ENRICHED: PartitionState(2, 3)})
    liveness.check(held)
    liveness.check(held)
    assert liveness.healthy
    assert telemetry.metrics.value("newsflow_oldest_waiting_seconds", topic="enriched", partition="1") == 5.0
    liveness.check(held)
    assert not liveness.healthy
    assert liveness.stalled == [("enriched", 1, 21.0)]
    held.states[ENRICHED] = PartitionState(3, 3)
    liveness.check(held)
    assert liveness.healthy
    assert telemetry.metrics.value("newsflow_oldest_waiting_seconds", topic="enriched", partition="1") == 0.0
