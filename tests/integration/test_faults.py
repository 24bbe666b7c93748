"""Faults on the real broker and node: workers killed with SIGKILL mid-stream (five times, some while
still joining the group) must neither lose nor duplicate an article (deterministic ids, offsets
committed only after indexing), and the last worker must catch up by itself."""

from __future__ import annotations

import asyncio
import itertools
import random
import signal
import subprocess
from collections.abc import Callable

import pytest
from elasticsearch import AsyncElasticsearch

from streams.settings import Settings
from streams.sources.files import read_paths
from streams.sources.inputs import InputError
from streams.sources.producer import create_producer, produce_articles
from tests.conftest import SAUDI_SAMPLE
from tests.integration.conftest import indexed_ids, restart_service_after, wait_for

pytestmark = pytest.mark.integration

ARTICLES = 200
KILLS = 5


@pytest.mark.timeout(600)
async def test_sigkilled_workers_lose_and_duplicate_nothing(
    settings: Settings, es: AsyncElasticsearch, worker_factory: Callable[[], subprocess.Popen[bytes]]
) -> None:
    items = [
        i
        for i in itertools.islice(read_paths([SAUDI_SAMPLE], settings.jsonl_fields), ARTICLES + 40)
        if not isinstance(i, InputError)
    ][:ARTICLES]
    expected = {item.id for item in items}
    assert len(expected) == ARTICLES
    producer = create_producer(settings)
    randomness = random.Random(7)
    worker = worker_factory()
    try:
        size = ARTICLES // KILLS
        for round_number, chunk in enumerate(items[i : i + size] for i in range(0, ARTICLES, size)):
            await asyncio.to_thread(produce_articles, settings, chunk, producer)
            await asyncio.sleep(randomness.uniform(2.0, 8.0))
            worker.send_signal(signal.SIGKILL)
            worker.wait(timeout=30)
            worker = worker_factory()
            assert round_number < KILLS
    finally:
        producer.close()

    seen: list[str] = []

    async def all_indexed() -> list[str] | None:
        seen[:] = await indexed_ids(es, settings)
        return seen if len(set(seen)) >= ARTICLES else None

    try:
        await wait_for(all_indexed, timeout=120)
    except AssertionError:
        pytest.fail(f"{len(set(seen))} of {ARTICLES} indexed; missing e.g. {sorted(expected - set(seen))[:3]}")
    assert sorted(seen) == sorted(expected)  # every article, once


@pytest.mark.timeout(600)
async def test_an_elasticsearch_outage_loses_and_duplicates_nothing(
    settings: Settings, es: AsyncElasticsearch, worker_factory: Callable[[], subprocess.Popen[bytes]]
) -> None:
    items = [
        i
        for i in itertools.islice(read_paths([SAUDI_SAMPLE], settings.jsonl_fields), 200)
        if not isinstance(i, InputError)
    ][:150]
    expected = {item.id for item in items}
    worker_factory()
    producer = create_producer(settings)
    try:
        produce_articles(settings, items[:50], producer)
        outage = asyncio.create_task(asyncio.to_thread(restart_service_after, "elasticsearch", 30.0))
        await asyncio.sleep(2)
        await asyncio.to_thread(produce_articles, settings, items[50:], producer)  # produced while ES is down
        await outage
    finally:
        producer.close()

    seen: list[str] = []

    async def all_indexed() -> list[str] | None:
        try:
            seen[:] = await indexed_ids(es, settings)
        except Exception:  # the node may still be recovering its shards
            return None
        return seen if len(set(seen)) >= len(expected) else None

    try:
        await wait_for(all_indexed, timeout=180)
    except AssertionError:
        pytest.fail(f"{len(set(seen))} of {len(expected)} indexed after the outage")
    assert sorted(seen) == sorted(expected)
