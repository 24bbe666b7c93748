"""Liveness when workers start together: two workers join one group at once while a handful of
articles wait on its two partitions, fifteen times (30 worker starts; parsing in a thread, then in
child processes, alternately). Every article must be indexed, each round, well inside the time a live
pipeline needs (about ten seconds): a partition left behind by the rebalances of a joint start shows up
here as a round that never completes.

The stall this catches: the first worker processes every raw record while the second joins; its
enriched copies are fetched during the rebalance and dropped because the flow is stopped, and Faust
seeks only partitions with a committed offset back (streams.worker.acks). Before the fix, 1 run in 3
of tests/integration/test_stories.py's first test stalled this way with one process per worker."""

from __future__ import annotations

import subprocess
from collections.abc import Callable

import pytest
from elasticsearch import AsyncElasticsearch

from streams.kafka.codec import encode
from streams.settings import Settings
from streams.sources.producer import create_producer
from tests.integration.conftest import raw_articles, wait_until_all_indexed

pytestmark = pytest.mark.integration

WORKERS = 2
ARTICLES = 4  # two per partition: few enough that no later record comes to reveal a skipped one
ROUNDS = 15


@pytest.mark.parametrize("round_number", range(ROUNDS))
@pytest.mark.settings(topic_partitions=WORKERS)
@pytest.mark.timeout(240)
async def test_workers_started_together_index_every_waiting_article(
    round_number: int,
    settings: Settings,
    es: AsyncElasticsearch,
    worker_factory: Callable[..., subprocess.Popen[bytes]],
) -> None:
    articles = raw_articles(settings, ARTICLES, skip=round_number * ARTICLES)
    processes = 1 + round_number % 2
    workers = [worker_factory(worker_processes=processes) for _ in range(WORKERS)]
    producer = create_producer(settings)
    try:
        for number, article in enumerate(articles):
            producer.send(
                settings.topics.raw, key=article.id.encode(), value=encode(article), partition=number % WORKERS
            )
        producer.flush()
    finally:
        producer.close()
    await wait_until_all_indexed(es, settings, {a.id for a in articles}, timeout=120)
    assert all(worker.poll() is None for worker in workers)
