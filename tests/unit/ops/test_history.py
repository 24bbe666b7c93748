from __future__ import annotations

import pytest

from streams.metrics import Metrics
from streams.ops.history import SERIES, History, latency_buckets, quantile

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    ("q", "buckets", "expected"),
    [
        pytest.param(0.5, [(1.0, 0.0), (2.0, 10.0), (float("inf"), 10.0)], 1.5, id="middle-of-a-bucket"),
        pytest.param(0.95, [(1.0, 5.0), (2.0, 10.0), (float("inf"), 10.0)], 1.9, id="upper-bucket"),
        pytest.param(0.5, [(1.0, 0.0), (float("inf"), 4.0)], 1.0, id="beyond-the-last-bound"),
        pytest.param(0.5, [(1.0, 0.0), (float("inf"), 0.0)], None, id="no-observations"),
    ],
)
def test_quantile_interpolates_inside_its_bucket(
    q: float, buckets: list[tuple[float, float]], expected: float | None
) -> None:
    assert quantile(q, buckets) == expected


def test_samples_are_rates_gauges_and_the_intervals_latency() -> None:
    metrics, history = Metrics(), History()
    history.take(metrics, now=100.0)  # the first call only remembers the counters
    assert list(history.samples) == []
    metrics.records.labels("index", "out").inc(50)
    metrics.records.labels("process", "in").inc(60)
    metrics.consumer_lag.labels("raw", "0").set(7)
    metrics.consumer_lag.labels("raw", "1").set(3)
    for seconds in (0.4, 0.6, 0.8, 30.0):
        metrics.end_to_end.observe(seconds)
    history.take(metrics, now=110.0)
    history.take(metrics, now=115.0)  # nothing new: zero rates, no latency in that interval
    (at, first), (_, second) = history.samples
    assert at == 110.0
    assert (first["index_out_per_s"], first["process_in_per_s"], first["lag"]) == (5.0, 6.0, 10.0)
    assert first["latency_p50_s"] is not None
    assert 0.4 <= first["latency_p50_s"] <= 1.0
    assert first["latency_p95_s"] is not None
    assert first["latency_p95_s"] > first["latency_p50_s"]
    assert (second["index_out_per_s"], second["latency_p50_s"]) == (0.0, None)
    assert quantile(0.5, latency_buckets(metrics)) == first["latency_p50_s"]
    shown = history.as_json()
    assert shown["at"] == [110.0, 115.0]
    assert set(shown["series"]) == {*SERIES, "lag:raw"}
    assert shown["series"]["index_out_per_s"] == [5.0, 0.0]


def test_lag_per_topic_and_dead_letters_per_reason_are_series_of_their_own() -> None:
    metrics, history = Metrics(), History()
    history.take(metrics, now=100.0)
    metrics.consumer_lag.labels("t.raw", "0").set(7)
    metrics.consumer_lag.labels("t.raw", "1").set(3)
    metrics.consumer_lag.labels("t.enriched", "0").set(2)
    history.take(metrics, now=105.0)
    metrics.dead_letters.labels("decode", "bad_json").inc(10)
    metrics.dead_letters.labels("produce", "schema").inc(5)
    metrics.dead_letters.labels("parse", "schema").inc(5)
    history.take(metrics, now=110.0)
    shown = history.as_json()
    labelled = ["dead_letters:bad_json_per_s", "dead_letters:schema_per_s", "lag:t.enriched", "lag:t.raw"]
    assert list(shown["series"]) == [*SERIES, *labelled]
    assert shown["series"]["lag:t.raw"] == [10.0, 10.0]
    assert shown["series"]["lag:t.enriched"] == [2.0, 2.0]
    assert shown["series"]["lag"] == [12.0, 12.0]
    assert shown["series"]["dead_letters:bad_json_per_s"] == [None, 2.0]  # appears with its first letter
    assert shown["series"]["dead_letters:schema_per_s"] == [None, 2.0]  # both stages' letters of that reason
    assert shown["series"]["dead_letters_per_s"] == [0.0, 4.0]
    assert shown["titles"]["lag:t.raw"] == "consumer lag, t.raw (records)"
    assert shown["titles"]["dead_letters:schema_per_s"] == "dead letters / s: schema"
