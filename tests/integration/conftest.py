"""Integration fixtures: the real broker and node from deploy/local/services, a unique set of topics,
index and consumer group per test, and a worker subprocess running the real Faust app."""

from __future__ import annotations

import asyncio
import itertools
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections import Counter
from collections.abc import AsyncIterator, Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from uuid import uuid4

import pytest
from elasticsearch import AsyncElasticsearch
from kafka import KafkaConsumer
from kafka.admin import KafkaAdminClient
from prometheus_client.parser import text_string_to_metric_families
from selenium import webdriver
from selenium.webdriver.chrome.service import Service

from streams.kafka.codec import encode
from streams.kafka.security import kafka_python_options
from streams.kafka.topics import create_topics, topic_specs
from streams.pipeline.stages import field_mappings
from streams.records import RawArticle
from streams.settings import Settings, default_home
from streams.sink.elasticsearch import drop_index, ensure_index, open_client
from streams.sources.files import read_paths
from streams.sources.producer import create_producer, produce_articles
from tests.conftest import ROOT, SAUDI_SAMPLE

pytestmark = pytest.mark.integration


def settings_env(settings: Settings) -> dict[str, str]:
    return settings.to_environment(os.environ)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def metric_samples(port: int, name: str, label: str = "action") -> Counter[str]:
    """A worker's samples of metric ``name`` summed by ``label`` (as a Grafana ``sum by`` panel does)."""
    exported = urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=10).read().decode()
    by_label: Counter[str] = Counter()
    for family in text_string_to_metric_families(exported):
        for sample in family.samples:
            if sample.name == name:
                by_label[sample.labels[label]] += int(sample.value)
    return by_label


async def produce_paced(settings: Settings, articles: list[RawArticle], per_second: float) -> int:
    """Produce in small acknowledged chunks at about ``per_second``; returns how many were acknowledged."""
    producer = create_producer(settings)
    produced, chunk = 0, max(1, int(per_second / 2))
    try:
        for start in range(0, len(articles), chunk):
            report = await asyncio.to_thread(produce_articles, settings, articles[start : start + chunk], producer)
            produced += report.produced
            await asyncio.sleep(0.5)
    finally:
        producer.close()
    return produced


@pytest.fixture
def settings(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Settings]:
    """Fresh topics, index and consumer group for one test; deleted afterwards. A test's
    ``@pytest.mark.settings(**overrides)`` applies before the topics are created."""
    unique = uuid4().hex[:12]
    marker = request.node.get_closest_marker("settings")
    overrides: dict[str, Any] = {
        "topic_prefix": f"test.{unique}",
        "index_prefix": f"test-{unique}",
        "app_id": f"newsflow-test-{unique}",
        "worker_web_enabled": False,
        "worker_data_dir": tmp_path / "worker",
        "process_batch_seconds": 0.2,
        "sink_batch_seconds": 0.2,
        **(marker.kwargs if marker else {}),
    }
    built = Settings(**overrides)
    create_topics(built)
    asyncio.run(_prepare_index(built))
    yield built
    admin = KafkaAdminClient(**kafka_python_options(built.kafka))
    try:
        admin.delete_topics([spec.name for spec in topic_specs(built)])
    finally:
        admin.close()
    asyncio.run(_delete_index(built))


async def _prepare_index(settings: Settings) -> None:
    async with open_client(settings) as client:
        await ensure_index(client, settings, field_mappings(settings.enrichment))


async def _delete_index(settings: Settings) -> None:
    async with open_client(settings) as client:
        await drop_index(client, settings)


@pytest.fixture
async def es(settings: Settings) -> AsyncIterator[AsyncElasticsearch]:
    async with open_client(settings) as client:
        yield client


@pytest.fixture
def run_cli(settings: Settings) -> Callable[..., subprocess.CompletedProcess[bytes]]:
    """Run the ``newsflow`` command with this test's settings."""

    def run(
        *args: str, check: bool = True, env_overrides: dict[str, str] | None = None
    ) -> subprocess.CompletedProcess[bytes]:
        return subprocess.run(
            [sys.executable, "-m", "streams", *args],
            cwd=ROOT,
            env={**settings_env(settings), **(env_overrides or {})},
            capture_output=True,
            timeout=120,
            check=check,
        )

    return run


@pytest.fixture
def worker_factory(settings: Settings, tmp_path: Path) -> Iterator[Callable[..., subprocess.Popen[bytes]]]:
    """Starts ``newsflow worker`` processes for this test's topics and index (settings may be overridden
    per worker); stops them at the end."""
    started: list[tuple[subprocess.Popen[bytes], Any]] = []

    def start(loglevel: str = "warn", **overrides: Any) -> subprocess.Popen[bytes]:
        log = (tmp_path / f"worker-{len(started)}.log").open("wb")
        process = subprocess.Popen(
            [sys.executable, "-m", "streams", "worker", "--loglevel", loglevel],
            cwd=ROOT,
            env=settings_env(settings.replace(**overrides)),
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        started.append((process, log))
        return process

    yield start
    for process, log in started:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


@pytest.fixture
def worker(worker_factory: Callable[[], subprocess.Popen[bytes]]) -> subprocess.Popen[bytes]:
    """A running ``newsflow worker`` for this test's topics and index."""
    return worker_factory()


async def wait_for(condition: Callable[[], Any], timeout: float = 90.0, interval: float = 0.5) -> Any:
    """Poll an async condition until it returns something truthy."""
    deadline = time.monotonic() + timeout
    while True:
        result = await condition()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout}s")
        await asyncio.sleep(interval)


def read_topic(settings: Settings, topic: str, expected: int, timeout: float = 60.0) -> list[Any]:
    """At least ``expected`` records from the start of ``topic`` (fails after ``timeout``)."""
    consumer = KafkaConsumer(
        topic,
        **kafka_python_options(settings.kafka),
        auto_offset_reset="earliest",
        enable_auto_commit=False,
        consumer_timeout_ms=1000,
    )
    records: list[Any] = []
    deadline = time.monotonic() + timeout
    try:
        while len(records) < expected and time.monotonic() < deadline:
            records.extend(consumer)
    finally:
        consumer.close()
    assert len(records) >= expected, f"{topic}: {len(records)} records, expected {expected}"
    return records


def committed_offsets(settings: Settings, topic: str) -> int:
    """Sum of the worker group's committed offsets on ``topic``."""
    admin = KafkaAdminClient(**kafka_python_options(settings.kafka))
    try:
        offsets = admin.list_group_offsets(settings.worker.app_id).get(settings.worker.app_id, {})
    finally:
        admin.close()
    return sum(meta.offset for tp, meta in offsets.items() if tp.topic == topic and meta.offset > 0)


PIDFILES = {"kafka": "kafka/kafka.pid", "elasticsearch": "elasticsearch/es.pid"}


def restart_service_after(service: str, seconds: float) -> None:
    """Stop a local service (SIGTERM, as an outage), wait, then bring it back with the project's script."""
    pid = int((default_home() / "state" / PIDFILES[service]).read_text().strip())
    os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            break
        time.sleep(0.5)
    time.sleep(seconds)
    subprocess.run([str(ROOT / "deploy" / "local" / "services"), "up"], check=True, capture_output=True, timeout=300)


def raw_articles(settings: Settings, count: int, skip: int = 0) -> list[RawArticle]:
    """``count`` distinct SaudiNewsNet records as RawArticles."""
    items = (i for i in read_paths([SAUDI_SAMPLE], settings.inputs.jsonl_fields) if isinstance(i, RawArticle))
    articles = list(itertools.islice(items, skip, skip + count))
    assert len({a.id for a in articles}) == count
    return articles


async def indexed_ids(es: AsyncElasticsearch, settings: Settings, limit: int = 10_000) -> list[str]:
    """The ``_id`` of every indexed document (a repeated id would show up twice)."""
    await es.indices.refresh(index=settings.elasticsearch.articles_alias)
    response = await es.search(
        index=settings.elasticsearch.articles_alias, size=limit, source=False, query={"match_all": {}}
    )
    return [hit["_id"] for hit in response["hits"]["hits"]]


async def wait_until_all_indexed(
    es: AsyncElasticsearch, settings: Settings, expected: set[str], timeout: float
) -> None:
    """Wait until every expected id is indexed, then require each exactly once and nothing else."""
    seen: list[str] = []

    async def all_indexed() -> bool:
        try:
            seen[:] = await indexed_ids(es, settings)
        except Exception:  # a restarting node answers errors for a while
            return False
        return len(set(seen)) >= len(expected)

    try:
        await wait_for(all_indexed, timeout=timeout)
    except AssertionError:
        pytest.fail(f"{len(set(seen))} of {len(expected)} indexed; missing e.g. {sorted(expected - set(seen))[:3]}")
    assert sorted(seen) == sorted(expected)  # every article, once


def produce_to_partitions(settings: Settings, placed: Sequence[tuple[RawArticle, int]]) -> None:
    """Each article onto the raw topic's given partition, in order."""
    producer = create_producer(settings)
    try:
        for article, partition in placed:
            producer.send(settings.topics.raw, key=article.id.encode(), value=encode(article), partition=partition)
        producer.flush()
    finally:
        producer.close()


async def documents_when_all_indexed(
    es: AsyncElasticsearch, settings: Settings, count: int, timeout: float = 180
) -> dict[str, Any]:
    """id -> source of the indexed documents, once there are ``count`` of them."""

    async def documents() -> dict[str, Any] | None:
        await es.indices.refresh(index=settings.elasticsearch.articles_alias)
        hits = (await es.search(index=settings.elasticsearch.articles_alias, size=count + 10))["hits"]["hits"]
        return {hit["_id"]: hit["_source"] for hit in hits} if len(hits) == count else None

    found: dict[str, Any] = await wait_for(documents, timeout=timeout)
    return found


@contextmanager
def chromium(javascript: bool = True) -> Iterator[webdriver.Chrome]:
    """Debian's headless Chromium through its chromedriver (``.ci/run`` installs both)."""
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for argument in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--window-size=1280,1800",
    ):
        options.add_argument(argument)
    if not javascript:
        options.add_experimental_option("prefs", {"profile.managed_default_content_settings.javascript": 2})
    driver = webdriver.Chrome(options=options, service=Service("/usr/bin/chromedriver"))
    try:
        yield driver
    finally:
        driver.quit()
