"""Prometheus metrics of producers and workers (prometheus-client), on a registry of their own that
``create_app`` (or the producer CLI) builds once and passes down.

Names (all prefixed ``newsflow_``): ``records_total{stage,outcome}`` (in, out, dead_letter per stage),
``dead_letters_total{stage,reason}``, ``bulk_seconds`` (one bulk request), ``bulk_documents_total``,
``retries_total{action,cause}`` (cause: ``unavailable`` or ``throttled``),
``consumer_lag{topic,partition}`` (high-water mark minus the next offset, as of the last batch),
``end_to_end_seconds`` (raw record produced -> document acknowledged), ``stories_total`` (new stories),
``duplicates_total{kind}`` (exact or near copies joining a story) and ``redeliveries_total`` (an article
seen again), ``produced_total{outcome}`` (producers).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.samples import Sample

LATENCY_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 120, 300, 900)


@dataclass
class Metrics:
    registry: CollectorRegistry = field(default_factory=CollectorRegistry)

    def __post_init__(self) -> None:
        r = self.registry
        self.records = Counter("newsflow_records", "records by stage and outcome", ["stage", "outcome"], registry=r)
        self.dead_letters = Counter(
            "newsflow_dead_letters", "dead letters by stage and reason", ["stage", "reason"], registry=r
        )
        self.bulk_seconds = Histogram(
            "newsflow_bulk_seconds", "one bulk request to Elasticsearch", buckets=LATENCY_BUCKETS, registry=r
        )
        self.bulk_documents = Counter("newsflow_bulk_documents", "documents sent in bulk requests", registry=r)
        self.retries = Counter(
            "newsflow_retries", "retried actions (backoff while paused)", ["action", "cause"], registry=r
        )
        self.consumer_lag = Gauge(
            "newsflow_consumer_lag", "messages behind the high-water mark", ["topic", "partition"], registry=r
        )
        self.oldest_waiting = Gauge(
            "newsflow_oldest_waiting_seconds",
            "age of a held partition's oldest record waiting past the last finished one (streams.ops.liveness)",
            ["topic", "partition"],
            registry=r,
        )
        self.end_to_end = Histogram(
            "newsflow_end_to_end_seconds",
            "raw record produced -> document indexed",
            buckets=LATENCY_BUCKETS,
            registry=r,
        )
        self.stories = Counter("newsflow_stories", "new stories", registry=r)
        self.duplicates = Counter("newsflow_duplicates", "articles joining an earlier story", ["kind"], registry=r)
        self.redeliveries = Counter("newsflow_redeliveries", "articles delivered again", registry=r)
        self.produced = Counter("newsflow_produced", "records produced by outcome", ["outcome"], registry=r)

    def exposition(self) -> bytes:
        """The registry in Prometheus' text format."""
        return generate_latest(self.registry)

    def samples(self, name: str) -> list[Sample]:
        """Every sample called ``name`` (e.g. ``newsflow_records_total``), whatever its labels."""
        return [s for family in self.registry.collect() for s in family.samples if s.name == name]

    def total(self, name: str) -> float:
        return sum(s.value for s in self.samples(name))

    def value(self, name: str, **labels: str) -> float:
        """A sample's current value (0 when absent), for the ops page."""
        found = self.registry.get_sample_value(name, labels)
        return found if found is not None else 0.0
