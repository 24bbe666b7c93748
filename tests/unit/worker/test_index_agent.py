"""The index agent's batch handling without Kafka: a bug while indexing a batch (injected here) turns
its records into dead letters with reason ``index_error`` instead of being retried forever; a record a
sink refuses becomes a dead letter with the sink's reason and never reaches the sinks after it. Kafka
and the story log are replaced by in-memory stand-ins (a real StoryIndex), the sinks by recording ones;
the integration tests run the real worker on the real sinks."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from types import SimpleNamespace
from typing import Any

import orjson
import pytest

from streams.dedup.stories import StoryIndex
from streams.dedup.story_records import StoryAssignment, StoryEntry
from streams.kafka.codec import encode
from streams.ops.telemetry import Telemetry
from streams.parse.article import parse_article
from streams.pipeline.options import story_options
from streams.records import EnrichedArticle, RawArticle
from streams.retry import Backoff, Retrier
from streams.settings import Settings
from streams.sink.protocol import Refused, Sink, SinkRecord
from streams.worker import index_agent
from streams.worker.index_agent import IndexStage, index_or_dead_letter

pytestmark = pytest.mark.unit


class InMemoryStories:
    def __init__(self, settings: Settings) -> None:
        self.index = StoryIndex.configured(story_options(settings))

    async def assign(self, entries: Sequence[StoryEntry]) -> list[StoryAssignment]:
        return [self.index.apply(entry) for entry in entries]


class CollectingTopic:
    def __init__(self) -> None:
        self.sent: list[dict[str, Any]] = []

    async def send(self, key: bytes | None, value: bytes) -> asyncio.Future[None]:
        self.sent.append(orjson.loads(value))
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        done.set_result(None)
        return done


class RecordingSink:
    """Keeps what it is given; refuses the documents whose id is in ``refuse``."""

    def __init__(self, name: str, refuse: frozenset[str] = frozenset()) -> None:
        self.name = name
        self.refuse = refuse
        self.written: list[SinkRecord] = []

    async def start(self) -> None:
        pass

    async def stop(self) -> None:
        pass

    async def write(self, records: Sequence[SinkRecord]) -> list[Refused]:
        self.written += records
        return [Refused(r.doc_id, "mapping", "field x is not mapped") for r in records if r.doc_id in self.refuse]


def event(value: bytes, offset: int) -> SimpleNamespace:
    message = SimpleNamespace(topic="enriched", partition=0, offset=offset, timestamp=1_700_000_000.0)
    return SimpleNamespace(key=b"k", value=value, message=message)


def stage_with(sinks: Sequence[Sink], topic: CollectingTopic, telemetry: Telemetry) -> IndexStage:
    settings = Settings(sink_max_backoff_seconds=0.01)
    return IndexStage(
        sinks, InMemoryStories(settings), topic, Retrier(Backoff(0.01), telemetry.retried), settings, telemetry
    )


def enriched_values(make_raw: Callable[..., RawArticle], enrich_one: Callable[..., EnrichedArticle]) -> list[bytes]:
    return [
        encode(enrich_one(parse_article(make_raw(id=f"a{n}", content=f"خبر رقم {n} عن الطقس العاصف اليوم."))))
        for n in range(3)
    ]


async def test_a_bug_while_indexing_dead_letters_the_batch(
    monkeypatch: pytest.MonkeyPatch, make_raw: Callable[..., RawArticle], enrich_one: Callable[..., EnrichedArticle]
) -> None:
    def injected_bug(*args: object) -> dict[str, Any]:
        raise RuntimeError("injected bug in the sink")

    monkeypatch.setattr(index_agent, "to_document", injected_bug)
    telemetry, topic, sink = Telemetry(), CollectingTopic(), RecordingSink("first")
    values = enriched_values(make_raw, enrich_one)
    stage = stage_with([sink], topic, telemetry)
    await asyncio.wait_for(index_or_dead_letter([event(v, n) for n, v in enumerate(values)], stage), timeout=10)
    assert sink.written == []
    assert [(letter["stage"], letter["reason"], letter["error_class"]) for letter in topic.sent] == [
        ("index", "index_error", "RuntimeError")
    ] * 3
    assert [letter["position"]["offset"] for letter in topic.sent] == [0, 1, 2]
    assert telemetry.metrics.value("newsflow_dead_letters_total", stage="index", reason="index_error") == 3
    assert telemetry.metrics.total("newsflow_retries_total") == 0


async def test_a_refused_record_is_a_dead_letter_and_skips_the_later_sinks(
    make_raw: Callable[..., RawArticle], enrich_one: Callable[..., EnrichedArticle]
) -> None:
    telemetry, topic = Telemetry(), CollectingTopic()
    first, second = RecordingSink("first", refuse=frozenset({"a1"})), RecordingSink("second")
    values = enriched_values(make_raw, enrich_one)
    await index_or_dead_letter(
        [event(v, n) for n, v in enumerate(values)], stage_with([first, second], topic, telemetry)
    )
    assert [r.doc_id for r in first.written] == ["a0", "a1", "a2"]
    assert [r.doc_id for r in second.written] == ["a0", "a2"]
    assert [r.position.offset for r in second.written] == [0, 2]
    assert [(letter["reason"], letter["position"]["offset"]) for letter in topic.sent] == [("mapping", 1)]
    assert "the first sink refused the document: field x is not mapped" in topic.sent[0]["error_message"]
    assert telemetry.metrics.value("newsflow_dead_letters_total", stage="index", reason="mapping") == 1
