"""The files sink end to end on the real broker: a worker writing to Elasticsearch and to hourly JSON-lines
files, SIGKILLed three times mid-stream, leaves every article in the files exactly once (and in the index),
each line with its document and its Kafka position."""

from __future__ import annotations

import asyncio
import random
import signal
import subprocess
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson
import pytest
from elasticsearch import AsyncElasticsearch

from streams.settings import Settings
from streams.sources.producer import create_producer, produce_articles
from tests.integration.conftest import raw_articles, wait_for, wait_until_all_indexed

pytestmark = pytest.mark.integration

ARTICLES = 150
KILLS = 3


def file_lines(root: Path) -> list[dict[str, Any]]:
    return [
        orjson.loads(line) for path in sorted(root.glob("dt=*/hour=*/partition-*.jsonl")) for line in path.open("rb")
    ]


@pytest.mark.settings(sink_targets=("elasticsearch", "files"))
@pytest.mark.timeout(600)
async def test_every_article_lands_in_the_hourly_files_once_through_worker_kills(
    settings: Settings, es: AsyncElasticsearch, worker_factory: Callable[..., subprocess.Popen[bytes]], tmp_path: Path
) -> None:
    files = tmp_path / "files"
    root = files / settings.elasticsearch.articles_alias
    items = raw_articles(settings, ARTICLES)
    expected = {item.id for item in items}
    producer = create_producer(settings)
    randomness = random.Random(11)
    worker = worker_factory(sink_files_dir=files)
    try:
        size = ARTICLES // KILLS
        for chunk in (items[i : i + size] for i in range(0, ARTICLES, size)):
            await asyncio.to_thread(produce_articles, settings, chunk, producer)
            await asyncio.sleep(randomness.uniform(3.0, 8.0))
            worker.send_signal(signal.SIGKILL)
            worker.wait(timeout=30)
            worker = worker_factory(sink_files_dir=files)
    finally:
        producer.close()

    async def all_written() -> bool:
        return {line["id"] for line in file_lines(root)} >= expected

    await wait_for(all_written, timeout=180)
    await wait_until_all_indexed(es, settings, expected, timeout=60)
    lines = file_lines(root)
    assert Counter(line["id"] for line in lines).most_common(1)[0][1] == 1  # nothing twice
    assert {line["id"] for line in lines} == expected  # nothing lost, nothing else
    positions = [(line["_kafka"]["partition"], line["_kafka"]["offset"]) for line in lines]
    assert len(set(positions)) == len(positions)
    assert {line["_kafka"]["topic"] for line in lines} == {settings.topics.enriched}
    for path in root.glob("dt=*/hour=*/partition-*.jsonl"):  # one partition per file, in offset order
        offsets = [
            (orjson.loads(line)["_kafka"]["partition"], orjson.loads(line)["_kafka"]["offset"])
            for line in path.open("rb")
        ]
        assert {p for p, _ in offsets} == {int(path.stem.removeprefix("partition-"))}
        assert [o for _, o in offsets] == sorted(o for _, o in offsets)
    sample = lines[0]
    assert all(sample[field] for field in ("title", "story_id", "enrichment_version"))
    assert "title_key" not in sample  # the Elasticsearch-only copies stay in the index
