"""A stalled partition is impossible to miss: a worker whose index stage cannot reach Elasticsearch
holds an enriched partition whose record waits; within ``stall_seconds`` its ``/ops/health`` answers
503 naming the partition, and once Elasticsearch is reachable the record is indexed and the worker is
healthy again."""

from __future__ import annotations

import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from typing import Any

import orjson
import pytest
from elasticsearch import AsyncElasticsearch

from streams.kafka.codec import encode
from streams.settings import Settings
from streams.sources.producer import create_producer
from tests.integration.conftest import free_port, raw_articles, wait_for, wait_until_all_indexed
from tests.integration.test_monitoring import Forwarder

pytestmark = pytest.mark.integration

STALL_SECONDS = 5.0


def health(port: int) -> tuple[int, dict[str, Any]] | None:
    """``/ops/health``'s status and body; None while the worker's web server does not answer."""
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/ops/health", timeout=5) as response:
            return response.status, orjson.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, orjson.loads(error.read())
    except OSError:
        return None


@pytest.mark.timeout(300)
async def test_a_partition_that_waits_past_the_stall_time_makes_the_worker_unhealthy_until_it_moves(
    settings: Settings, es: AsyncElasticsearch, worker_factory: Callable[..., subprocess.Popen[bytes]]
) -> None:
    es_url = urllib.parse.urlsplit(settings.elasticsearch.url)
    forwarder = Forwarder((es_url.hostname or "127.0.0.1", es_url.port or 9200))
    port = free_port()
    worker_factory(
        worker_web_enabled=True,
        worker_web_port=port,
        elasticsearch_url=f"https://127.0.0.1:{forwarder.port}",
        sink_max_backoff_seconds=1.0,
        stall_seconds=STALL_SECONDS,
    )

    async def answers() -> tuple[int, dict[str, Any]] | None:
        return health(port)

    assert await wait_for(answers, timeout=120) == (200, {"healthy": True, "stalled": []})
    (article,) = raw_articles(settings, 1)
    producer = create_producer(settings)
    try:
        producer.send(settings.topics.raw, key=article.id.encode(), value=encode(article)).get(timeout=30)
    finally:
        producer.close()
    produced_at = time.monotonic()

    async def enriched_stalled() -> dict[str, Any] | None:
        answer = health(port)
        if answer is None or answer[0] != 503:
            return None
        stalled = [p for p in answer[1]["stalled"] if p["topic"] == settings.topics.enriched]
        return stalled[0] if stalled else None

    try:
        stalled = await wait_for(enriched_stalled, timeout=60, interval=0.5)
        # processing the record takes a few seconds, then its enriched copy waits STALL_SECONDS
        assert time.monotonic() - produced_at < STALL_SECONDS + 30
        assert stalled["waiting_seconds"] >= STALL_SECONDS  # reported to a tenth of a second

        forwarder.start()
        await wait_until_all_indexed(es, settings, {article.id}, timeout=60)

        async def healthy_again() -> bool:
            return health(port) == (200, {"healthy": True, "stalled": []})

        await wait_for(healthy_again, timeout=30)
    finally:
        forwarder.close()
