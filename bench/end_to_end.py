"""End-to-end throughput: N SaudiNewsNet articles through Kafka -> worker -> Elasticsearch, and in the
same run the Elasticsearch-only ceiling (the same final documents bulk-indexed directly).

    .venv/bin/python -m bench.end_to_end [--articles 2000] [--workers 1]

Needs the local services (deploy/local/services up) and the NEWSFLOW_* environment they print.
Uses its own topics and indices and deletes them afterwards. Prints and writes bench/results/*.json.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import os
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from uuid import uuid4

from bench.report import publish
from streams.kafka.topics import create_topics
from streams.pipeline import offline_documents, process_raw
from streams.records import RawArticle
from streams.retry import Retrier
from streams.settings import Settings
from streams.sink.elasticsearch import BulkIndexer, drop_index, ensure_index, open_client
from streams.sources.files import read_paths
from streams.sources.producer import create_producer, produce_articles

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT.parent / "shared/data/articles/arabic/saudinewsnet/sample_2015-08-01_02.jsonl"


def load_articles(settings: Settings, count: int) -> list[RawArticle]:
    items = read_paths([CORPUS], settings.jsonl_fields)
    return [item for item in itertools.islice(items, count) if isinstance(item, RawArticle)]


async def indexed(settings: Settings) -> int:
    async with open_client(settings.elasticsearch) as client:
        await client.indices.refresh(index=settings.articles_alias)
        return int((await client.count(index=settings.articles_alias))["count"])


async def wait_indexed(settings: Settings, target: int, timeout: float) -> float:
    deadline = time.monotonic() + timeout
    while (count := await indexed(settings)) < target:
        if time.monotonic() > deadline:
            raise SystemExit(f"only {count}/{target} indexed after {timeout}s")
        await asyncio.sleep(0.2)
    return time.monotonic()


async def drop(settings: Settings) -> None:
    async with open_client(settings.elasticsearch) as client:
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


def run_pipeline(settings: Settings, articles: list[RawArticle], workdir: Path, workers: int) -> float:
    """Seconds from the first produce until the last article is searchable (workers already warm)."""
    create_topics(settings)
    asyncio.run(_ensure(settings))
    logs = [(workdir / f"worker-{n}.log").open("wb") for n in range(workers)]
    processes = start_workers(settings, logs)
    producer = create_producer(settings)
    try:
        produce_articles(settings, articles[:1], producer)  # warm-up: the group has formed and indexed one
        asyncio.run(wait_indexed(settings, 1, timeout=120))
        start = time.monotonic()
        produce_articles(settings, articles[1:], producer)
        end = asyncio.run(wait_indexed(settings, len(articles), timeout=600))
        return end - start
    finally:
        producer.close()
        for process in processes:
            process.terminate()
            process.wait(timeout=60)
        for log in logs:
            log.close()


async def _ensure(settings: Settings) -> None:
    async with open_client(settings.elasticsearch) as client:
        await ensure_index(client, settings)


async def run_direct(settings: Settings, articles: list[RawArticle]) -> float:
    """Seconds to bulk-index the same final documents straight into Elasticsearch."""
    now = datetime.now(UTC)
    async with open_client(settings.elasticsearch) as client:
        index = await ensure_index(client, settings)
        documents = offline_documents(map(process_raw, articles), settings, now, not index.server_analysis)
        indexer = BulkIndexer(client, settings.articles_alias, settings.sink, Retrier(settings.backoff))
        start = time.monotonic()
        for offset in range(0, len(documents), settings.sink_batch_size):
            await indexer.write(documents[offset : offset + settings.sink_batch_size])
        await client.indices.refresh(index=settings.articles_alias)
        return time.monotonic() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=2000)
    parser.add_argument("--workers", type=int, default=1, help="worker processes in the consumer group")
    args = parser.parse_args()
    unique = uuid4().hex[:8]
    base = Settings()
    articles = load_articles(base, args.articles + 1)
    n = len(articles) - 1
    pipeline = base.model_copy(
        update={
            "topic_prefix": f"bench.{unique}",
            "index_prefix": f"bench-{unique}-pipe",
            "app_id": f"newsflow-bench-{unique}",
            "worker_web_enabled": False,
        }
    )
    direct = base.model_copy(update={"index_prefix": f"bench-{unique}-direct"})
    with tempfile.TemporaryDirectory() as tmp:
        pipeline = pipeline.model_copy(update={"worker_data_dir": Path(tmp) / "worker"})
        try:
            pipeline_seconds = run_pipeline(pipeline, articles, Path(tmp), args.workers)
            direct_seconds = asyncio.run(run_direct(direct, articles[1:]))
        finally:
            asyncio.run(drop(pipeline))
            asyncio.run(drop(direct))
    result = {
        "articles": n,
        "workers": args.workers,
        "end_to_end_articles_per_s": round(n / pipeline_seconds, 1),
        "elasticsearch_only_articles_per_s": round(n / direct_seconds, 1),
        "ratio_end_to_end_to_ceiling": round(direct_seconds / pipeline_seconds, 3),
        "end_to_end_seconds": round(pipeline_seconds, 2),
        "elasticsearch_only_seconds": round(direct_seconds, 2),
        "measured_at": datetime.now(UTC).isoformat(),
    }
    publish(f"end_to_end-{unique}", result)


if __name__ == "__main__":
    main()
