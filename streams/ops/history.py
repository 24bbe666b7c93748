"""The last hour of a worker's own figures, sampled every ``SAMPLE_SECONDS`` from its metrics (no I/O):
what the ops page draws. Counters become rates over the interval, gauges are read as they are (the lag
also per topic, dead letters also per reason, each its own series once it appears), and the
produce -> searchable latency is the p50/p95 of the interval's observations (the histogram's bucket
counts then minus now, interpolated linearly inside a bucket, as Prometheus' ``histogram_quantile``)."""

from __future__ import annotations

import math
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any

from streams.metrics import Metrics

SAMPLE_SECONDS = 5.0
KEEP = 720  # an hour of samples
# series name -> what the ops page titles it
SERIES = {
    "process_in_per_s": "raw records in / s (process)",
    "index_out_per_s": "articles indexed / s",
    "dead_letters_per_s": "dead letters / s",
    "retries_per_s": "retries / s",
    "lag": "consumer lag (records, all partitions)",
    "oldest_waiting_s": "oldest unfinished record (s)",
    "latency_p50_s": "produce → searchable p50 (s)",
    "latency_p95_s": "produce → searchable p95 (s)",
}
# series by label, named ``<prefix><label><suffix>``: prefix -> (suffix, how the ops page titles one)
LABELLED = {
    "lag:": ("", "consumer lag, {} (records)"),
    "dead_letters:": ("_per_s", "dead letters / s: {}"),
}
LATENCY = "newsflow_end_to_end_seconds"


def counters(metrics: Metrics) -> dict[str, float]:
    found = {
        "process_in": metrics.value("newsflow_records_total", stage="process", outcome="in"),
        "index_out": metrics.value("newsflow_records_total", stage="index", outcome="out"),
        "dead_letters": metrics.total("newsflow_dead_letters_total"),
        "retries": metrics.total("newsflow_retries_total"),
    }
    for sample in metrics.samples("newsflow_dead_letters_total"):
        name = f"dead_letters:{sample.labels['reason']}"
        found[name] = found.get(name, 0.0) + sample.value
    return found


def lag_by_topic(metrics: Metrics) -> dict[str, float]:
    by_topic: dict[str, float] = {}
    for sample in metrics.samples("newsflow_consumer_lag"):
        name = f"lag:{sample.labels['topic']}"
        by_topic[name] = by_topic.get(name, 0.0) + sample.value
    return by_topic


def title(name: str) -> str:
    """What the ops page titles a series."""
    for prefix, (suffix, template) in LABELLED.items():
        if name.startswith(prefix):
            return template.format(name.removeprefix(prefix).removesuffix(suffix))
    return SERIES[name]


def latency_buckets(metrics: Metrics) -> list[tuple[float, float]]:
    """(upper bound, cumulative count) of the end-to-end histogram, +Inf last."""
    return sorted((float(s.labels["le"]), s.value) for s in metrics.samples(f"{LATENCY}_bucket"))


def quantile(q: float, buckets: list[tuple[float, float]]) -> float | None:
    """The q-quantile of cumulative ``buckets``, interpolated inside its bucket (the last finite bound when it
    falls in +Inf); None without observations."""
    total = buckets[-1][1] if buckets else 0.0
    if total <= 0:
        return None
    rank = q * total
    lower, below = 0.0, 0.0
    for bound, count in buckets:
        if count >= rank:
            if math.isinf(bound):
                return lower
            share = (rank - below) / (count - below) if count > below else 1.0
            return round(lower + (bound - lower) * share, 3)
        lower, below = bound, count
    return lower


@dataclass
class History:
    samples: deque[tuple[float, dict[str, float | None]]] = field(default_factory=lambda: deque(maxlen=KEEP))
    _last: tuple[float, dict[str, float], list[tuple[float, float]]] | None = None

    def take(self, metrics: Metrics, now: float | None = None) -> None:
        """One sample: rates since the previous call, gauges now, the interval's latency quantiles."""
        now = time.time() if now is None else now
        current, buckets = counters(metrics), latency_buckets(metrics)
        if self._last is not None:
            then, before, old_buckets = self._last
            seconds = max(1e-3, now - then)
            old = dict(old_buckets)
            interval = [(bound, count - old.get(bound, 0.0)) for bound, count in buckets]
            values: dict[str, float | None] = {
                f"{name}_per_s": round((current[name] - before.get(name, 0.0)) / seconds, 3) for name in current
            }
            by_topic = lag_by_topic(metrics)
            values.update(by_topic)
            values["lag"] = sum(by_topic.values())
            values["oldest_waiting_s"] = max(
                (s.value for s in metrics.samples("newsflow_oldest_waiting_seconds")), default=0.0
            )
            values["latency_p50_s"] = quantile(0.5, interval)
            values["latency_p95_s"] = quantile(0.95, interval)
            self.samples.append((round(now, 1), values))
        self._last = (now, current, buckets)

    def names(self) -> list[str]:
        """The fixed series, then those by label that appeared in the last hour (sorted)."""
        labelled = {name for _, values in self.samples for name in values if name not in SERIES}
        return [*SERIES, *sorted(labelled)]

    def as_json(self) -> dict[str, Any]:
        names = self.names()
        return {
            "sample_seconds": SAMPLE_SECONDS,
            "titles": {name: title(name) for name in names},
            "at": [at for at, _ in self.samples],
            "series": {name: [values.get(name) for _, values in self.samples] for name in names},
        }
