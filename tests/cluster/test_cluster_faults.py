"""Faults on the local cluster (three brokers, replication 3 with min.insync.replicas 2; three
Elasticsearch nodes, one replica): a broker or a node SIGKILLed mid-stream and brought back, workers
added and one SIGKILLed, a rolling restart of every broker. Each produces articles at a steady pace
throughout and requires every one indexed exactly once and the workers alive; the produced / indexed /
duplicated figures and the recovery times go to the table printed at the end of the run."""

from __future__ import annotations

import asyncio
import signal
import subprocess
import time
from collections import Counter
from collections.abc import Callable

import pytest
from elasticsearch import AsyncElasticsearch

from streams.records import RawArticle
from streams.settings import Settings
from tests.cluster.conftest import (
    Progress,
    cluster,
    fully_replicated,
    partition_leaders,
    primary_node,
    record_outcome,
)
from tests.integration.conftest import produce_paced, raw_articles, wait_for, wait_until_all_indexed

Workers = Callable[..., subprocess.Popen[bytes]]
ARTICLES = 300
PACE = 10.0  # articles per second: the stream lasts about 30 s, the faults happen inside it


async def replicated(settings: Settings) -> bool:
    return await asyncio.to_thread(fully_replicated, settings)


async def sigkill_for(node: str, seconds: float) -> float:
    """SIGKILL ``node``, start it again after ``seconds``; returns the seconds until it is back (``start``
    waits for that)."""
    fault = time.monotonic()
    await asyncio.to_thread(cluster, "kill", node)
    await asyncio.sleep(seconds)
    await asyncio.to_thread(cluster, "start", node)
    return time.monotonic() - fault


async def every_article_indexed(
    stream: asyncio.Task[int], es: AsyncElasticsearch, settings: Settings, articles: list[RawArticle]
) -> int:
    """Waits for the producer, then for every article in the index; returns how many were produced."""
    produced = await stream
    await wait_until_all_indexed(es, settings, {a.id for a in articles}, timeout=300)
    assert produced == len(articles)
    return produced


@pytest.mark.usefixtures("heal")
@pytest.mark.timeout(900)
async def test_the_broker_leading_the_raw_partitions_sigkilled_and_back(
    settings: Settings, es: AsyncElasticsearch, worker_factory: Workers, progress: Progress
) -> None:
    articles = raw_articles(settings, ARTICLES)
    worker = worker_factory()
    stream = asyncio.create_task(produce_paced(settings, articles, PACE))
    await asyncio.sleep(10)
    leaders = Counter(partition_leaders(settings, settings.topics.raw).values())
    broker = leaders.most_common(1)[0][0]
    fault = time.monotonic()
    back = await sigkill_for(f"kafka-{broker}", 10)
    produced = await every_article_indexed(stream, es, settings, articles)
    done = time.monotonic() - fault
    await wait_for(lambda: replicated(settings), timeout=120)
    assert worker.poll() is None
    await record_outcome(
        f"broker kafka-{broker} (led {leaders[broker]} of {settings.topics.partitions}) SIGKILLed 10 s",
        settings,
        es,
        produced,
        node_back=back,
        in_sync=time.monotonic() - fault,
        all_indexed=done,
        longest_stall=progress.longest_stall(fault),
    )


@pytest.mark.usefixtures("heal")
@pytest.mark.timeout(900)
async def test_the_elasticsearch_node_with_the_primary_sigkilled_and_back(
    settings: Settings, es: AsyncElasticsearch, worker_factory: Workers, progress: Progress
) -> None:
    articles = raw_articles(settings, ARTICLES)
    worker = worker_factory()
    stream = asyncio.create_task(produce_paced(settings, articles, PACE))
    await asyncio.sleep(10)
    node = await primary_node(es, settings)
    fault = time.monotonic()
    back = await sigkill_for(node, 10)  # start returns once the cluster is green again
    produced = await every_article_indexed(stream, es, settings, articles)
    assert worker.poll() is None
    await record_outcome(
        f"elasticsearch {node} (primary) SIGKILLed 10 s",
        settings,
        es,
        produced,
        node_back_green=back,
        all_indexed=time.monotonic() - fault,
        longest_stall=progress.longest_stall(fault),
    )


@pytest.mark.timeout(900)
async def test_workers_grow_from_one_to_three_then_one_is_sigkilled(
    settings: Settings, es: AsyncElasticsearch, worker_factory: Workers, progress: Progress
) -> None:
    articles = raw_articles(settings, ARTICLES)
    workers = [worker_factory()]
    stream = asyncio.create_task(produce_paced(settings, articles, PACE))
    for _ in range(2):  # rebalance outwards while the stream runs
        await asyncio.sleep(5)
        workers.append(worker_factory())
    await asyncio.sleep(8)
    fault = time.monotonic()
    workers[1].send_signal(signal.SIGKILL)  # and inwards: its partitions move after the session timeout
    workers[1].wait(timeout=30)
    produced = await every_article_indexed(stream, es, settings, articles)
    assert workers[0].poll() is None
    assert workers[2].poll() is None
    await record_outcome(
        "workers 1 -> 2 -> 3, then one SIGKILLed",
        settings,
        es,
        produced,
        all_indexed=time.monotonic() - fault,
        longest_stall=progress.longest_stall(fault),
    )


@pytest.mark.usefixtures("heal")
@pytest.mark.timeout(900)
async def test_a_rolling_restart_of_every_broker_while_producing(
    settings: Settings, es: AsyncElasticsearch, worker_factory: Workers, progress: Progress
) -> None:
    articles = raw_articles(settings, ARTICLES * 2)
    worker = worker_factory()
    stream = asyncio.create_task(produce_paced(settings, articles, PACE))
    await asyncio.sleep(5)
    fault = time.monotonic()
    for broker in (1, 2, 3):  # one at a time, the next only once every replica is back in sync
        await asyncio.to_thread(cluster, "stop", f"kafka-{broker}")
        await asyncio.to_thread(cluster, "start", f"kafka-{broker}")
        await wait_for(lambda: replicated(settings), timeout=180)
    restarted = time.monotonic() - fault
    produced = await every_article_indexed(stream, es, settings, articles)
    assert worker.poll() is None
    await record_outcome(
        "rolling restart of kafka-1, -2, -3",
        settings,
        es,
        produced,
        all_restarted=restarted,
        all_indexed=time.monotonic() - fault,
        longest_stall=progress.longest_stall(fault),
    )
