"""The index agent's batch handling without Kafka: a bug while indexing a batch (injected here) turns
its records into dead letters with reason ``index_error`` instead of being retried forever. Kafka and
the story log are replaced by in-memory stand-ins (a real StoryIndex); the fault tests run the real
worker."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from types import SimpleNamespace
from typing import Any

import orjson
import pytest
from elasticsearch import AsyncElasticsearch

from streams.dedup.stories import StoryIndex
from streams.dedup.story_records import StoryAssignment, StoryEntry
from streams.enrich.article import enrich_article
from streams.kafka.codec import encode
from streams.ops.telemetry import Telemetry
from streams.parse.article import parse_article
from streams.pipeline.options import story_options
from streams.records import RawArticle
from streams.retry import Backoff, Retrier
from streams.settings import Settings
from streams.sink.elasticsearch import BulkIndexer
from streams.worker import agents
from streams.worker.agents import IndexStage, index_or_dead_letter


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


def event(value: bytes, offset: int) -> SimpleNamespace:
    message = SimpleNamespace(topic="enriched", partition=0, offset=offset, timestamp=1_700_000_000.0)
    return SimpleNamespace(key=b"k", value=value, message=message)


async def test_a_bug_while_indexing_dead_letters_the_batch(
    monkeypatch: pytest.MonkeyPatch, make_raw: Callable[..., RawArticle]
) -> None:
    def injected_bug(*args: object) -> dict[str, Any]:
        raise RuntimeError("injected bug in the sink")

    monkeypatch.setattr(agents, "to_document", injected_bug)
    settings = Settings(sink_max_backoff_seconds=0.01)
    telemetry = Telemetry()
    topic = CollectingTopic()
    client = AsyncElasticsearch("http://127.0.0.1:9")  # never reached: the bug comes first
    try:
        stage = IndexStage(
            BulkIndexer(client, "unused", settings.sink, Retrier(settings.retry.backoff)),
            BulkIndexer(client, "unused-events", settings.sink, Retrier(settings.retry.backoff)),
            InMemoryStories(settings),
            topic,
            Retrier(Backoff(0.01), telemetry.retried),
            settings,
            telemetry,
            key_fields=True,
        )
        values = [
            encode(enrich_article(parse_article(make_raw(id=f"a{n}", content=f"خبر رقم {n} عن الطقس."))))
            for n in range(3)
        ]
        await asyncio.wait_for(index_or_dead_letter([event(v, n) for n, v in enumerate(values)], stage), timeout=10)
    finally:
        await client.close()
    assert [(letter["stage"], letter["reason"], letter["error_class"]) for letter in topic.sent] == [
        ("index", "index_error", "RuntimeError")
    ] * 3
    assert [letter["position"]["offset"] for letter in topic.sent] == [0, 1, 2]
    assert telemetry.metrics.value("newsflow_dead_letters_total", stage="index", reason="index_error") == 3
    assert telemetry.metrics.total("newsflow_retries_total") == 0
