"""Scale-out: end-to-end articles/s and CPU seconds per article with 1, 2, 3 workers, on the single-node
stack (deploy/local/services) and on the local cluster (deploy/local/cluster), side by side in one run.

    .venv/bin/python -m bench.scale_out [--articles 400] [--workers 1 2 3]

Both stacks must be up; each one's settings are read from its script's ``env`` (the shell's NEWSFLOW_*
variables are not needed). Every run gets its own topics and index (deleted afterwards), starts W worker
processes, waits until the group is stable and has indexed a warm-up article, then produces N articles at
once and times until all are searchable. CPU seconds come from /proc (utime + stime) of the workers (with
their processing children) and of the stack's broker and Elasticsearch processes, before and after; the
stack's figures include whatever else uses it at the time (the single-node stack is shared). Prints and writes
bench/results/scale_out-*.json.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from uuid import uuid4

from kafka.admin import KafkaAdminClient

from bench.end_to_end import ROOT, cpu_seconds, drop, load_articles, start_workers, wait_indexed
from bench.report import publish
from streams.kafka.security import kafka_python_options
from streams.kafka.topics import create_topics, topic_specs
from streams.pipeline.stages import field_mappings
from streams.settings import Settings
from streams.sink.elasticsearch import ensure_index, open_client
from streams.sources.producer import create_producer, produce_articles

STACKS = {"single node": "services", "cluster": "cluster"}


def stack_settings(script: str) -> Settings:
    """The settings a stack's ``env`` prints (``export NEWSFLOW_X=value`` lines), as explicit fields."""
    out = subprocess.run([str(ROOT / "deploy/local" / script), "env"], capture_output=True, text=True, check=True)
    fields: dict[str, Any] = {}
    for line in out.stdout.splitlines():
        name, _, value = line.removeprefix("export ").partition("=")
        fields[name.removeprefix("NEWSFLOW_").lower()] = value
    return Settings(**fields)


def stack_pids(settings: Settings, script: str) -> list[int]:
    state = settings.home / "state"
    files = (
        [state / "kafka/kafka.pid", state / "elasticsearch/es.pid"]
        if script == "services"
        else [state / f"cluster/{kind}-{n}/{kind}.pid" for kind in ("kafka", "es") for n in (1, 2, 3)]
    )
    return [int(f.read_text()) for f in files if f.exists()]


def rss_mib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) // 1024
    return 0


def wait_stable(settings: Settings, members: int, timeout: float = 180) -> None:
    admin = KafkaAdminClient(**kafka_python_options(settings.kafka))
    try:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            group = admin.describe_groups([settings.worker.app_id]).get(settings.worker.app_id, {})
            if group.get("group_state") == "Stable" and len(group.get("members", ())) == members:
                return
            time.sleep(1)
        raise SystemExit(f"{settings.worker.app_id}: the group did not become stable with {members} members")
    finally:
        admin.close()


async def ensure(settings: Settings) -> None:
    async with open_client(settings) as client:
        await ensure_index(client, settings, field_mappings(settings.enrichment))


def run(base: Settings, script: str, workers: int, count: int, workdir: Path) -> dict[str, Any]:
    unique = uuid4().hex[:8]
    settings = base.replace(
        **{
            "topic_prefix": f"bench.{unique}",
            "index_prefix": f"bench-{unique}",
            "app_id": f"newsflow-bench-{unique}",
            "worker_web_enabled": False,
            "worker_data_dir": workdir / unique,
        }
    )
    articles = load_articles(settings, count + 1)
    create_topics(settings)
    asyncio.run(ensure(settings))
    logs = [(workdir / f"{unique}-{n}.log").open("wb") for n in range(workers)]
    processes = start_workers(settings, logs)
    producer = create_producer(settings)
    try:
        wait_stable(settings, workers)
        produce_articles(settings, articles[:1], producer)  # warm-up
        asyncio.run(wait_indexed(settings, 1, timeout=180))
        services = stack_pids(settings, script)
        before = cpu_seconds(p.pid for p in processes), cpu_seconds(services)
        start = time.monotonic()
        produce_articles(settings, articles[1:], producer)
        end = asyncio.run(wait_indexed(settings, len(articles), timeout=900))
        after = cpu_seconds(p.pid for p in processes), cpu_seconds(services)
        worker_rss = [rss_mib(p.pid) for p in processes]
    finally:
        producer.close()
        for process in processes:
            process.terminate()
            process.wait(timeout=60)
        for log in logs:
            log.close()
        asyncio.run(drop(settings))
        admin = KafkaAdminClient(**kafka_python_options(settings.kafka))
        try:
            admin.delete_topics([spec.name for spec in topic_specs(settings)])
        finally:
            admin.close()
    n = len(articles) - 1
    worker_cpu = after[0] - before[0]
    service_cpu = after[1] - before[1]
    return {
        "workers": workers,
        "partitions": settings.topics.partitions,
        "articles_per_s": round(n / (end - start), 1),
        "seconds": round(end - start, 1),
        "worker_cpu_s_per_article": round(worker_cpu / n, 4),
        "broker_and_es_cpu_s_per_article": round(service_cpu / n, 4),
        "cores_busy": round((worker_cpu + service_cpu) / (end - start), 2),
        "worker_rss_mib": worker_rss,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=400)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2, 3])
    args = parser.parse_args()
    bases = {name: stack_settings(script) for name, script in STACKS.items()}
    results: dict[str, list[dict[str, Any]]] = {name: [] for name in STACKS}
    with tempfile.TemporaryDirectory() as tmp:
        for workers in args.workers:  # the stacks alternate, so both see the same machine load
            for name, script in STACKS.items():
                results[name].append(run(bases[name], script, workers, args.articles, Path(tmp)))
                print(name, results[name][-1], flush=True)
    publish(
        f"scale_out-{uuid4().hex[:8]}",
        {
            "articles": args.articles,
            "cores": os.cpu_count(),
            **results,
            "measured_at": datetime.now(UTC).isoformat(),
        },
    )


if __name__ == "__main__":
    main()
