"""Cluster fixtures: the integration fixtures (unique topics, index, group; worker subprocesses) on the
three brokers and three Elasticsearch nodes of deploy/local/cluster (``make test-cluster`` exports its
settings), plus what the fault tests need: node control through the script, who leads what, a paced
producer, an index-progress sampler, and a table of produced / indexed / duplicated / recovery times
printed at the end of the run."""

from __future__ import annotations

import asyncio
import itertools
import subprocess
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from _pytest.terminal import TerminalReporter
from elasticsearch import AsyncElasticsearch
from kafka import KafkaConsumer, TopicPartition
from kafka.admin import KafkaAdminClient

from streams.kafka.security import kafka_python_options
from streams.settings import Settings
from tests.conftest import ROOT
from tests.integration import conftest as integration

es, settings, worker_factory = integration.es, integration.settings, integration.worker_factory  # the same fixtures

CLUSTER = ROOT / "deploy" / "local" / "cluster"
REPORT: list[dict[str, Any]] = []


@pytest.fixture(autouse=True)
def on_the_cluster(settings: Settings) -> None:
    if settings.topics.replication_factor != 3 or "," not in settings.elasticsearch.url:
        pytest.fail(
            'cluster tests need the cluster\'s settings: eval "$(deploy/local/cluster env)" (make test-cluster)'
        )


def cluster(*args: str) -> None:
    """Run deploy/local/cluster (``kill kafka-2``, ``start es-1``, ...); ``start`` waits until the node is back."""
    subprocess.run([str(CLUSTER), *args], check=True, capture_output=True, timeout=300)


def admin(settings: Settings) -> KafkaAdminClient:
    return KafkaAdminClient(**kafka_python_options(settings.kafka))


def partition_leaders(settings: Settings, topic: str) -> dict[int, int]:
    """Partition -> id of the broker leading it."""
    client = admin(settings)
    try:
        (described,) = client.describe_topics([topic])
    finally:
        client.close()
    return {p["partition_index"]: p["leader_id"] for p in described["partitions"]}


def fully_replicated(settings: Settings) -> bool:
    """Every partition of this test's topics and of the offsets topic has all its replicas in sync."""
    client = admin(settings)
    try:
        topics = [t for t in client.list_topics() if t.startswith(settings.topics.name_prefix)]
        described = client.describe_topics([*topics, "__consumer_offsets"])
    finally:
        client.close()
    return all(len(p["isr_nodes"]) == len(p["replica_nodes"]) for t in described for p in t["partitions"])


async def primary_node(es: AsyncElasticsearch, settings: Settings) -> str:
    """deploy/local/cluster's name (es-N) of the node holding the article index's primary shard."""
    shards = await es.cat.shards(index=settings.elasticsearch.articles_alias, format="json")
    (node,) = {s["node"] for s in shards.body if s["prirep"] == "p"}  # type: ignore[index]
    return "es-" + str(node).rsplit("-", 1)[1]


def topic_records(settings: Settings, topic: str) -> int:
    consumer = KafkaConsumer(**kafka_python_options(settings.kafka))
    try:
        partitions = [TopicPartition(topic, p) for p in consumer.partitions_for_topic(topic) or ()]
        ends: dict[Any, int] = consumer.end_offsets(partitions)
        starts: dict[Any, int] = consumer.beginning_offsets(partitions)
        return sum(ends.values()) - sum(starts.values())
    finally:
        consumer.close()


@dataclass
class Progress:
    """Samples the article count every half second (a node may be down: failed samples are skipped)."""

    samples: list[tuple[float, int]] = field(default_factory=list)

    def longest_stall(self, since: float) -> float:
        """The longest time after ``since`` during which the count did not grow, until it stopped growing."""
        pairs = itertools.pairwise(self.samples)
        rises = [since] + [t for (_, before), (t, n) in pairs if n > before and t > since]
        return max((b - a for a, b in itertools.pairwise(rises)), default=0.0)


@pytest.fixture
async def progress(es: AsyncElasticsearch, settings: Settings) -> AsyncIterator[Progress]:
    sampled = Progress()

    async def sample() -> None:
        while True:
            try:
                await es.indices.refresh(index=settings.elasticsearch.articles_alias)
                count = (await es.count(index=settings.elasticsearch.articles_alias))["count"]
                sampled.samples.append((time.monotonic(), count))
            except Exception:  # a node is down or electing: try again
                pass
            await asyncio.sleep(0.5)

    task = asyncio.create_task(sample())
    yield sampled
    task.cancel()


async def record_outcome(
    name: str, settings: Settings, es: AsyncElasticsearch, produced: int, **figures: float
) -> None:
    """One row of the fault table: what was produced, what reached each topic and the index."""
    await es.indices.refresh(index=settings.elasticsearch.articles_alias)
    hits = (await es.search(index=settings.elasticsearch.articles_alias, size=10_000, source=False))["hits"]["hits"]
    ids = [hit["_id"] for hit in hits]
    REPORT.append(
        {
            "test": name,
            "produced": produced,
            "raw records": topic_records(settings, settings.topics.raw),
            "enriched records": topic_records(settings, settings.topics.enriched),
            "indexed": len(set(ids)),
            "duplicate docs": len(ids) - len(set(ids)),
            **{key: round(value, 1) for key, value in figures.items()},
        }
    )


def pytest_terminal_summary(terminalreporter: TerminalReporter) -> None:
    if not REPORT:
        return
    terminalreporter.section("cluster faults (seconds after the fault)")
    for row in REPORT:
        terminalreporter.write_line("  ".join(f"{key}={value}" for key, value in row.items()))


@pytest.fixture
def heal() -> Iterator[None]:
    """Whatever a test killed is started again afterwards, even when it failed."""
    yield
    cluster("up")
