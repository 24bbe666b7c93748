from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest

from streams.dedup.story_records import StoryAssignment
from streams.errors import PoisonRecordError
from streams.kafka.codec import dead_letter
from streams.ops.telemetry import Telemetry
from streams.records import KafkaPosition

pytestmark = pytest.mark.unit

NOW = datetime.now(UTC)


@dataclass(frozen=True)
class TopicPartition:
    topic: str
    partition: int


@dataclass(frozen=True)
class Message:
    tp: TopicPartition
    offset: int


@dataclass(frozen=True)
class Event:
    message: Message


def story(doc_id: str, duplicate_of: str | None = None, similarity: float = 1.0, seen: int = 1) -> StoryAssignment:
    return StoryAssignment(doc_id, duplicate_of or doc_id, duplicate_of, similarity, seen, NOW, NOW, (), ())


def document(doc_id: str) -> dict[str, object]:
    return {"id": doc_id, "title": f"<b>{doc_id}</b>", "source": {"name": "spa"}}


def test_known_series_are_exported_at_zero_before_any_event() -> None:
    """Alert rules and dashboards compute increase() over them: they must exist before the first article."""
    exported = Telemetry().metrics.exposition().decode()
    for line in (
        'newsflow_records_total{outcome="out",stage="index"} 0.0',
        'newsflow_records_total{outcome="in",stage="process"} 0.0',
        'newsflow_duplicates_total{kind="near"} 0.0',
        "newsflow_redeliveries_total 0.0",
    ):
        assert line in exported


def test_lag_is_the_high_water_mark_minus_the_next_offset() -> None:
    telemetry = Telemetry()
    p0, p1 = TopicPartition("raw", 0), TopicPartition("raw", 1)
    events = [Event(Message(p0, 4)), Event(Message(p0, 9)), Event(Message(p1, 2))]
    telemetry.batch_in("process", events, {p0: 15, p1: 3}.get)
    assert telemetry.metrics.value("newsflow_consumer_lag", topic="raw", partition="0") == 5
    assert telemetry.metrics.value("newsflow_consumer_lag", topic="raw", partition="1") == 0
    assert telemetry.metrics.value("newsflow_records_total", stage="process", outcome="in") == 3


def test_indexed_documents_are_classified_and_kept_newest_first() -> None:
    telemetry = Telemetry()
    telemetry.indexed(
        [
            (document("a"), story("a"), NOW - timedelta(seconds=3)),
            (document("b"), story("b", duplicate_of="a"), NOW),
            (document("c"), story("c", duplicate_of="a", similarity=0.8), NOW),
            (document("a"), story("a", seen=2), NOW),
        ]
    )
    value = telemetry.metrics.value
    assert value("newsflow_stories_total") == 1
    assert value("newsflow_duplicates_total", kind="exact") == 1
    assert value("newsflow_duplicates_total", kind="near") == 1
    assert value("newsflow_redeliveries_total") == 1
    assert value("newsflow_end_to_end_seconds_count") == 4
    assert [d.id for d in telemetry.documents] == ["a", "c", "b", "a"]
    assert telemetry.documents[0].title == "<b>a</b>"  # kept as text; the page escapes it


def test_dead_letters_are_numbered_and_found_again() -> None:
    telemetry = Telemetry()
    letters = [
        dead_letter("parse", PoisonRecordError("parse", "no_content", f"bad {n}"), b"x", KafkaPosition("raw", 0, n))
        for n in range(2)
    ] + [dead_letter("parse", ValueError("bad 2"), b"x", KafkaPosition("raw", 0, 2))]
    telemetry.dead_lettered(letters)
    assert telemetry.metrics.value("newsflow_dead_letters_total", stage="parse", reason="no_content") == 2
    assert telemetry.metrics.value("newsflow_dead_letters_total", stage="parse", reason="parse_error") == 1
    found = telemetry.letter(2)
    assert found is not None
    assert found.error_message == "bad 1"
    assert telemetry.letter(99) is None
