"""Pushes RawArticles onto the raw topic with kafka-python (acks=all, idempotent, orjson values).

Inputs that cannot become a RawArticle go to the dead-letter topic with stage ``produce``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import orjson
from kafka import KafkaProducer

from streams.errors import PoisonRecordError
from streams.kafka.codec import dead_letter, encode
from streams.kafka.security import kafka_python_options
from streams.metrics import Metrics
from streams.records import KafkaPosition, RawArticle
from streams.schemas import validation_errors
from streams.settings import Settings
from streams.sources.inputs import InputError
from streams.sources.source import Source


@dataclass(slots=True)
class ProduceReport:
    produced: int = 0
    dead_lettered: int = 0
    errors: list[str] = field(default_factory=list)


def create_producer(settings: Settings) -> KafkaProducer:
    return KafkaProducer(
        **kafka_python_options(settings.kafka),
        client_id=f"{settings.worker.app_id}-producer",
        acks="all",
        enable_idempotence=True,
        retries=2**31 - 1,
        linger_ms=settings.inputs.produce_linger_ms,
        max_in_flight_requests_per_connection=5,
    )


def produce_articles(
    settings: Settings,
    inputs: Iterable[RawArticle | InputError],
    producer: KafkaProducer,
    on_progress: Callable[[], None] = lambda: None,
    metrics: Metrics | None = None,
) -> ProduceReport:
    """Send every input; returns after the broker acknowledged all of them (counted in ``metrics``)."""
    report = ProduceReport()
    futures: list[Any] = []
    for item in inputs:
        if isinstance(item, RawArticle):
            value = encode(item)
            problems = validation_errors("raw", orjson.loads(value))
            if len(value) > settings.inputs.max_payload_bytes:
                limit = settings.inputs.max_payload_bytes
                item = InputError(item.origin, "too_large", f"{len(value):,} bytes, over the limit of {limit:,}", value)
            elif problems:
                item = InputError(item.origin, "schema", "; ".join(problems), value)
            else:
                futures.append(producer.send(settings.topics.raw, key=item.id.encode(), value=value))
                report.produced += 1
        if isinstance(item, InputError):
            error = PoisonRecordError("produce", item.reason, f"{item.origin}: {item.message}")
            letter = dead_letter("produce", error, item.payload, KafkaPosition(), attempts=1)
            futures.append(producer.send(settings.topics.dead_letters, value=encode(letter)))
            report.dead_lettered += 1
            report.errors.append(f"{item.origin}: {item.message}")
        on_progress()
    producer.flush()
    for future in futures:
        future.get(timeout=60)
    if metrics is not None:
        metrics.produced.labels("produced").inc(report.produced)
        metrics.produced.labels("dead_letter").inc(report.dead_lettered)
    return report


def produce_source(
    settings: Settings,
    source: Source,
    producer: KafkaProducer,
    on_progress: Callable[[], None] = lambda: None,
    metrics: Metrics | None = None,
) -> ProduceReport:
    """One read of a source, sent; the source remembers it once the broker acknowledged all of it."""
    report = produce_articles(settings, source.read(), producer, on_progress, metrics)
    source.acknowledged()
    return report
