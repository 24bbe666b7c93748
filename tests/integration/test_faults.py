"""Faults on the real broker and node: workers killed with SIGKILL mid-stream (five times, some while
still joining the group), or the child processes that parse and enrich for one worker (three times),
must neither lose nor duplicate an article (deterministic ids, offsets committed only after
indexing), and the last worker must catch up by itself."""

from __future__ import annotations

import asyncio
import os
import random
import signal
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from elasticsearch import AsyncElasticsearch

from streams.settings import Settings
from streams.sources.producer import create_producer, produce_articles
from tests.integration.conftest import (
    free_port,
    metric_samples,
    raw_articles,
    restart_service_after,
    wait_for,
    wait_until_all_indexed,
)

pytestmark = pytest.mark.integration

ARTICLES = 200
KILLS = 5


@pytest.mark.timeout(600)
async def test_sigkilled_workers_lose_and_duplicate_nothing(
    settings: Settings, es: AsyncElasticsearch, worker_factory: Callable[[], subprocess.Popen[bytes]]
) -> None:
    items = raw_articles(settings, ARTICLES)
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

    await wait_until_all_indexed(es, settings, expected, timeout=120)


def processing_children(worker: subprocess.Popen[bytes]) -> list[int]:
    """The worker's pool processes: its children spawned by multiprocessing (not the resource tracker)."""
    children = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            parent = int(stat.read_text().rsplit(")", 1)[1].split()[1])
            command = (stat.parent / "cmdline").read_bytes()
        except (OSError, ValueError, IndexError):  # gone meanwhile
            continue
        if parent == worker.pid and b"spawn_main" in command:
            children.append(int(stat.parent.name))
    return children


def any_alive(pids: list[int]) -> bool:
    return any(Path(f"/proc/{pid}").exists() for pid in pids)


@pytest.mark.settings(worker_processes=2)
@pytest.mark.timeout(600)
async def test_sigkilled_processing_children_lose_and_duplicate_nothing(
    settings: Settings, es: AsyncElasticsearch, worker_factory: Callable[[], subprocess.Popen[bytes]]
) -> None:
    items = raw_articles(settings, ARTICLES)
    expected = {item.id for item in items}
    producer = create_producer(settings)
    randomness = random.Random(11)
    worker = worker_factory()
    killed = 0
    try:
        size = ARTICLES // 4
        for chunk in (items[i : i + size] for i in range(0, ARTICLES, size)):
            await asyncio.to_thread(produce_articles, settings, chunk, producer)
            await asyncio.sleep(randomness.uniform(1.0, 4.0))

            async def pool_up() -> list[int]:  # started with the first batch, again after a kill
                return processing_children(worker)

            if killed < 3:
                os.kill(randomness.choice(await wait_for(pool_up, timeout=60)), signal.SIGKILL)
                killed += 1
    finally:
        producer.close()

    await wait_until_all_indexed(es, settings, expected, timeout=180)
    assert killed == 3  # the pool was up, and was started again after each kill
    assert worker.poll() is None

    # a SIGKILLed worker leaves no processing child behind
    pool = processing_children(worker)
    assert pool
    worker.send_signal(signal.SIGKILL)
    worker.wait(timeout=30)

    async def pool_gone() -> bool:
        return not any_alive(pool)

    await wait_for(pool_gone, timeout=30)


@pytest.mark.settings(worker_web_enabled=True)
@pytest.mark.timeout(600)
async def test_an_elasticsearch_outage_loses_and_duplicates_nothing(
    settings: Settings, es: AsyncElasticsearch, worker_factory: Callable[..., subprocess.Popen[bytes]]
) -> None:
    items = raw_articles(settings, 150)
    expected = {item.id for item in items}
    port = free_port()
    worker_factory(worker_web_port=port)
    producer = create_producer(settings)
    try:
        produce_articles(settings, items[:50], producer)
        outage = asyncio.create_task(asyncio.to_thread(restart_service_after, "elasticsearch", 30.0))
        await asyncio.sleep(2)
        await asyncio.to_thread(produce_articles, settings, items[50:], producer)  # produced while ES is down
        await outage
    finally:
        producer.close()

    await wait_until_all_indexed(es, settings, expected, timeout=180)
    # the waits for Elasticsearch were counted where they happened (the bulk writer, or the index set-up
    # when the worker started during the outage)
    retries = metric_samples(port, "newsflow_retries_total")
    assert retries.keys() <= {"indexing", "updating", "preparing the article index", "assigning stories"}, retries
    assert sum(retries.values()) >= 1, retries
    assert metric_samples(port, "newsflow_retries_total", label="cause").keys() == {"unavailable"}
