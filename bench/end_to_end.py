"""End-to-end throughput: N SaudiNewsNet articles through Kafka -> worker -> Elasticsearch, and in the
same run the Elasticsearch-only ceiling (the same final documents bulk-indexed directly).

    .venv/bin/python -m bench.end_to_end [--articles 10000] [--workers 1] [--processes N]

Then it runs ``newsflow reindex`` over the raw topic the run filled (workers stopped) and prints its rate
and articles per CPU-second beside the backlog's.

Articles: the SaudiNewsNet sample file, then the days in ../shared (distinct ids). Besides the rates it
prints the workers' CPU (each worker and its processing children, from /proc) per article and the
cores they kept busy while the backlog drained.

Needs the local services (deploy/local/services up) and the NEWSFLOW_* environment they print.
Uses its own topics and indices and deletes them afterwards. Prints and writes bench/results/*.json.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import io
import itertools
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from uuid import uuid4

from bench.report import publish
from streams.errors import PoisonRecordError
from streams.kafka.codec import encode
from streams.kafka.topics import create_topics
from streams.parse.article import parse_article
from streams.pipeline.process import offline_documents, process_raw
from streams.pipeline.stages import enrichment_context, field_mappings
from streams.records import RawArticle
from streams.retry import Retrier
from streams.settings import Settings
from streams.sink.elasticsearch import BulkIndexer, drop_index, ensure_index, open_client
from streams.sources.files import map_record, read_paths
from streams.sources.producer import create_producer, produce_articles

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT.parent / "shared/data/articles/arabic/saudinewsnet/sample_2015-08-01_02.jsonl"
DAYS = CORPUS.parent
LIVE_MAX = 3000  # articles kept aside for the half-rate latency run


def day_records() -> Iterator[dict[str, Any]]:
    for archive in sorted(DAYS.glob("*.zip")):
        with zipfile.ZipFile(archive) as bundle:
            for name in bundle.namelist():
                yield from json.load(io.TextIOWrapper(bundle.open(name), encoding="utf-8"))


def load_articles(settings: Settings, count: int) -> list[RawArticle]:
    """``count`` distinct articles that parse: the sample file first, then the days."""
    fetched_at = datetime.now(UTC)
    sample = (item for item in read_paths([CORPUS], settings.inputs.jsonl_fields) if isinstance(item, RawArticle))
    days = (map_record(r, settings.inputs.jsonl_fields, "bench", fetched_at) for r in day_records())
    articles: dict[str, RawArticle] = {}
    for article in itertools.chain(sample, days):
        try:
            parse_article(article)  # the pipeline dead-letters what has no body: it would never be indexed
        except PoisonRecordError:
            continue
        articles.setdefault(article.id, article)
        if len(articles) == count:
            break
    return list(articles.values())


def cpu_seconds(pids: Iterable[int]) -> float:
    """User + system CPU of these processes and of their live children (the processing pool)."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        children = subprocess.run(["ps", "--ppid", str(pid), "-o", "pid="], capture_output=True, text=True)
        for each in [pid, *map(int, children.stdout.split())]:
            with contextlib.suppress(OSError):
                fields = Path(f"/proc/{each}/stat").read_text().rsplit(")", 1)[1].split()
                total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / tick


async def indexed(settings: Settings) -> int:
    async with open_client(settings) as client:
        await client.indices.refresh(index=settings.elasticsearch.articles_alias)
        return int((await client.count(index=settings.elasticsearch.articles_alias))["count"])


async def wait_indexed(settings: Settings, target: int, timeout: float) -> float:
    deadline = time.monotonic() + timeout
    while (count := await indexed(settings)) < target:
        if time.monotonic() > deadline:
            raise SystemExit(f"only {count}/{target} indexed after {timeout}s")
        await asyncio.sleep(0.2)
    return time.monotonic()


async def drop(settings: Settings) -> None:
    async with open_client(settings) as client:
        await drop_index(client, settings)


def start_workers(settings: Settings, logs: list[Any]) -> list[subprocess.Popen[bytes]]:
    """One ``newsflow worker`` process per log file, with ``settings`` in its environment."""
    return [
        subprocess.Popen(
            [sys.executable, "-m", "streams", "worker", "--loglevel", "warn"],
            cwd=ROOT,
            env=settings.to_environment(os.environ),
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        for log in logs
    ]


def run_pipeline(
    settings: Settings,
    articles: list[RawArticle],
    reserve: list[RawArticle],
    workdir: Path,
    workers: int,
    live_seconds: float,
) -> tuple[float, float, list[float]]:
    """Seconds from the first produce until the last article is searchable (workers already warm), the
    workers' CPU seconds meanwhile, then the produce -> searchable latencies of articles of ``reserve``
    produced for ``live_seconds`` at half the rate just measured."""
    create_topics(settings)
    asyncio.run(_ensure(settings))
    logs = [(workdir / f"worker-{n}.log").open("wb") for n in range(workers)]
    processes = start_workers(settings, logs)
    producer = create_producer(settings)
    try:
        produce_articles(settings, articles[:1], producer)  # warm-up: the group has formed and indexed one
        asyncio.run(wait_indexed(settings, 1, timeout=120))
        start, cpu_start = time.monotonic(), cpu_seconds(p.pid for p in processes)
        produce_articles(settings, articles[1:], producer)
        end = asyncio.run(wait_indexed(settings, len(articles), timeout=1800))
        cpu = cpu_seconds(p.pid for p in processes) - cpu_start
        half_rate = (len(articles) - 1) / (end - start) / 2
        live = reserve[: max(1, round(half_rate * live_seconds))]
        return end - start, cpu, asyncio.run(searchable_latencies(settings, live, half_rate))
    finally:
        producer.close()
        for process in processes:
            process.terminate()
            process.wait(timeout=60)
        for log in logs:
            log.close()


async def searchable_latencies(settings: Settings, articles: list[RawArticle], per_second: float) -> list[float]:
    """Produce ``articles`` one by one at ``per_second`` (each acknowledged); poll the index until each
    is found by a search: seconds from its send to the first search that returned it."""
    sent: dict[str, float] = {}
    found: dict[str, float] = {}

    async def produce() -> None:
        producer = create_producer(settings)
        try:
            start = time.monotonic()
            for number, article in enumerate(articles):
                await asyncio.sleep(max(0.0, start + number / per_second - time.monotonic()))
                sent[article.id] = time.monotonic()
                future = producer.send(settings.topics.raw, key=article.id.encode(), value=encode(article))
                await asyncio.to_thread(future.get, 30)
        finally:
            producer.close()

    producing = asyncio.create_task(produce())
    deadline = time.monotonic() + len(articles) / per_second + 300
    async with open_client(settings) as client:
        while len(found) < len(articles) and time.monotonic() < deadline:
            waiting = [doc_id for doc_id in sent if doc_id not in found]
            if waiting:
                response = await client.search(
                    index=settings.elasticsearch.articles_alias,
                    query={"ids": {"values": waiting}},
                    size=len(waiting),
                    source=False,
                )
                now = time.monotonic()
                for hit in response["hits"]["hits"]:
                    found.setdefault(hit["_id"], now)
            await asyncio.sleep(0.1)
    await producing
    return [found[doc_id] - sent[doc_id] for doc_id in found]


def run_reindex(settings: Settings) -> tuple[float, float]:
    """Seconds and CPU seconds of ``newsflow reindex --remove-old`` over the raw topic the pipeline run
    filled, its workers stopped (the reindex has the machine as the backlog had it)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.monotonic()
    subprocess.run(
        [sys.executable, "-m", "streams", "reindex", "--remove-old", "--no-progress"],
        cwd=ROOT,
        env=settings.to_environment(os.environ),
        check=True,
        capture_output=True,
    )
    seconds = time.monotonic() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return seconds, (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)


async def _ensure(settings: Settings) -> None:
    async with open_client(settings) as client:
        await ensure_index(client, settings, field_mappings(settings.enrichment))


async def run_direct(settings: Settings, articles: list[RawArticle]) -> float:
    """Seconds to bulk-index the same final documents straight into Elasticsearch."""
    now = datetime.now(UTC)
    context = enrichment_context(settings.enrichment)
    async with open_client(settings) as client:
        index = await ensure_index(client, settings, field_mappings(settings.enrichment))
        enriched = [process_raw(article, context) for article in articles]
        documents = offline_documents(enriched, settings, now, not index.server_analysis)
        indexer = BulkIndexer(
            client, settings.elasticsearch.articles_alias, settings.sink, Retrier(settings.retry.backoff)
        )
        start = time.monotonic()
        for offset in range(0, len(documents), settings.sink.batch_size):
            await indexer.write(documents[offset : offset + settings.sink.batch_size])
        await client.indices.refresh(index=settings.elasticsearch.articles_alias)
        return time.monotonic() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--workers", type=int, default=1, help="worker processes in the consumer group")
    parser.add_argument("--processes", type=int, default=None, help="processing children per worker (default: cores)")
    parser.add_argument("--live-seconds", type=float, default=30.0, help="how long the half-rate latency run lasts")
    args = parser.parse_args()
    unique = uuid4().hex[:8]
    base = Settings()
    loaded = load_articles(base, args.articles + 1 + LIVE_MAX)
    articles, reserve = loaded[: args.articles + 1], loaded[args.articles + 1 :]
    n = len(articles) - 1
    pipeline = base.replace(
        **{
            "topic_prefix": f"bench.{unique}",
            "index_prefix": f"bench-{unique}-pipe",
            "app_id": f"newsflow-bench-{unique}",
            "worker_web_enabled": False,
            **({"worker_processes": args.processes} if args.processes else {}),
        }
    )
    direct = base.replace(**{"index_prefix": f"bench-{unique}-direct"})
    with tempfile.TemporaryDirectory() as tmp:
        pipeline = pipeline.replace(**{"worker_data_dir": Path(tmp) / "worker"})
        try:
            pipeline_seconds, worker_cpu, latencies = run_pipeline(
                pipeline, articles, reserve, Path(tmp), args.workers, args.live_seconds
            )
            reindex_seconds, reindex_cpu = run_reindex(pipeline)
            reindexed = asyncio.run(indexed(pipeline))
            direct_seconds = asyncio.run(run_direct(direct, articles[1:]))
        finally:
            asyncio.run(drop(pipeline))
            asyncio.run(drop(direct))
    result = {
        "articles": n,
        "workers": args.workers,
        "processes_per_worker": pipeline.worker.processes,
        "worker_cpu_ms_per_article": round(worker_cpu / n * 1000, 2),
        "worker_cores_busy": round(worker_cpu / pipeline_seconds, 2),
        "end_to_end_articles_per_s": round(n / pipeline_seconds, 1),
        "elasticsearch_only_articles_per_s": round(n / direct_seconds, 1),
        "ratio_end_to_end_to_ceiling": round(direct_seconds / pipeline_seconds, 3),
        "end_to_end_seconds": round(pipeline_seconds, 2),
        "half_rate_articles": len(latencies),
        "half_rate_searchable_p50_s": round(statistics.quantiles(latencies, n=100)[49], 2),
        "half_rate_searchable_p99_s": round(statistics.quantiles(latencies, n=100)[98], 2),
        "elasticsearch_only_seconds": round(direct_seconds, 2),
        # the backlog and the reindex per core: articles per CPU-second of the worker / of the reindex
        "backlog_articles_per_cpu_s": round(n / worker_cpu, 1),
        "reindex_articles": reindexed,
        "reindex_articles_per_s": round(reindexed / reindex_seconds, 1),
        "reindex_articles_per_cpu_s": round(reindexed / reindex_cpu, 1),
        "reindex_cores_busy": round(reindex_cpu / reindex_seconds, 2),
        "measured_at": datetime.now(UTC).isoformat(),
    }
    publish(f"end_to_end-{unique}", result)


if __name__ == "__main__":
    main()
