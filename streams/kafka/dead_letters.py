"""Reading and replaying the dead-letter topic (``newsflow dlq list|show|replay``).

Replay sends a dead letter's original payload back where its stage reads from: records that failed
to decode, parse or enrich go back to the raw topic, records the index stage rejected go back to the
enriched topic. Inputs rejected by the producer (stage ``produce``) were never raw records, so they
cannot be replayed: fix the input and produce it again.
"""

from __future__ import annotations

import base64
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import orjson
from kafka import KafkaConsumer, KafkaProducer, TopicPartition

from streams.kafka.security import kafka_python_options
from streams.settings import Settings

RAW_STAGES = frozenset({"decode", "parse", "enrich"})


@dataclass(frozen=True, slots=True)
class StoredDeadLetter:
    partition: int
    offset: int
    letter: dict[str, Any]

    @property
    def position(self) -> str:
        return f"{self.partition}:{self.offset}"

    def payload(self) -> bytes:
        text = str(self.letter.get("payload", ""))
        return base64.b64decode(text) if self.letter.get("payload_encoding") == "base64" else text.encode("utf-8")


@dataclass(slots=True)
class ReplayReport:
    replayed: int = 0
    skipped: list[str] = field(default_factory=list)


def read_dead_letters(
    settings: Settings, stage: str | None = None, error: str | None = None
) -> Iterator[StoredDeadLetter]:
    """Every dead letter now in the topic, oldest first per partition, optionally filtered by stage and by
    a substring of the error class or message."""
    consumer = KafkaConsumer(**kafka_python_options(settings.kafka), enable_auto_commit=False)
    try:
        partitions = [
            TopicPartition(settings.topics.dead_letters, p)
            for p in sorted(consumer.partitions_for_topic(settings.topics.dead_letters) or ())
        ]
        consumer.assign(partitions)
        consumer.seek_to_beginning(*partitions)
        ends = consumer.end_offsets(partitions)
        while any(consumer.position(tp) < ends[tp] for tp in partitions):
            for records in consumer.poll(timeout_ms=1000).values():
                for record in records:
                    letter = StoredDeadLetter(record.partition, record.offset, orjson.loads(record.value))
                    if matches(letter.letter, stage, error):
                        yield letter
    finally:
        consumer.close()


def matches(letter: dict[str, Any], stage: str | None, error: str | None) -> bool:
    if stage is not None and letter.get("stage") != stage:
        return False
    text = f"{letter.get('reason', '')} {letter.get('error_class', '')} {letter.get('error_message', '')}"
    return error is None or error.lower() in text.lower()


def replay(settings: Settings, letters: Iterator[StoredDeadLetter], producer: KafkaProducer) -> ReplayReport:
    report = ReplayReport()
    for stored in letters:
        stage = stored.letter.get("stage")
        if stage in RAW_STAGES:
            topic = settings.topics.raw
        elif stage == "index":
            topic = settings.topics.enriched
        else:
            report.skipped.append(f"{stored.position}: stage {stage} is not a pipeline record; produce the input again")
            continue
        message_key = stored.letter.get("message_key", stored.letter.get("key"))  # "key" before 2026-11
        producer.send(topic, key=message_key.encode("utf-8") if message_key else None, value=stored.payload())
        report.replayed += 1
    producer.flush()
    return report
