"""Rebalances on the real broker and node: workers join the group while articles are produced at a
steady pace, so partitions move from a busy worker to a new one mid-batch; every article must still be
indexed exactly once (offsets committed only for what was indexed)."""

from __future__ import annotations

import asyncio
import subprocess
from collections.abc import Callable

import pytest
from elasticsearch import AsyncElasticsearch

from streams.settings import Settings
from tests.integration.conftest import produce_paced, raw_articles, wait_until_all_indexed

pytestmark = pytest.mark.integration

ARTICLES = 200
PACE = 10.0  # articles per second: the stream lasts about 20 s, the workers join inside it


@pytest.mark.timeout(600)
async def test_workers_joining_while_producing_lose_and_duplicate_nothing(
    settings: Settings, es: AsyncElasticsearch, worker_factory: Callable[[], subprocess.Popen[bytes]]
) -> None:
    articles = raw_articles(settings, ARTICLES)
    workers = [worker_factory()]
    stream = asyncio.create_task(produce_paced(settings, articles, PACE))
    for _ in range(3):  # partitions move from busy workers to a new one while the stream runs
        await asyncio.sleep(4)
        workers.append(worker_factory())
    produced = await stream
    assert produced == ARTICLES
    await wait_until_all_indexed(es, settings, {a.id for a in articles}, timeout=180)
    assert all(worker.poll() is None for worker in workers)
