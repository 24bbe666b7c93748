"""``newsflow reindex`` on the real broker and node: a changed topic lexicon reaches every indexed
article through a new index, with stories and seen counts kept; killed with SIGKILL midway, it
continues when run again; run while articles are produced and searches go on, no search fails or
finds fewer articles than before, and the final index holds every article once, re-enriched."""

from __future__ import annotations

import asyncio
import itertools
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from elasticsearch import ApiError, AsyncElasticsearch, Elasticsearch

from streams.jobs.reindex import STATE_ID, Reindex, state_index
from streams.kafka.codec import encode
from streams.pipeline.process import process_value
from streams.pipeline.stages import enrichment_context
from streams.records import EnrichedArticle, KafkaPosition, RawArticle
from streams.retry import Retrier
from streams.settings import EnrichmentSettings, Settings
from streams.sink.elasticsearch import connection_options, node_urls
from streams.sources.producer import create_producer
from tests.conftest import ROOT
from tests.integration.conftest import raw_articles, settings_env, wait_for, wait_until_all_indexed
from tests.unit.enrich.test_enricher import renamed_lexicon

pytestmark = pytest.mark.integration

STORY_FIELDS = ("story_id", "duplicate_of", "similarity", "seen_count", "first_seen", "last_seen", "sources", "links")


def produce(settings: Settings, articles: list[RawArticle], pause: float = 0.0) -> None:
    producer = create_producer(settings)
    try:
        for article in articles:
            producer.send(settings.topics.raw, key=article.id.encode(), value=encode(article))
            if pause:
                time.sleep(pause)
        producer.flush()
    finally:
        producer.close()


async def documents(es: AsyncElasticsearch, settings: Settings) -> dict[str, dict[str, Any]]:
    await es.indices.refresh(index=settings.elasticsearch.articles_alias)
    hits = (await es.search(index=settings.elasticsearch.articles_alias, size=2000, query={"match_all": {}}))["hits"][
        "hits"
    ]
    return {hit["_id"]: hit["_source"] for hit in hits}


async def concrete(es: AsyncElasticsearch, settings: Settings) -> list[str]:
    return sorted(await es.indices.get_alias(name=settings.elasticsearch.articles_alias))


def reindex_command(settings: Settings, lexicon: Path, *args: str) -> tuple[list[str], dict[str, str]]:
    env = settings_env(settings.replace(**{"topic_lexicon_file": lexicon}))
    return [sys.executable, "-m", "streams", "reindex", "--no-progress", *args], env


def topic_labels(document: dict[str, Any]) -> list[str]:
    return [tag["label"] for tag in document["tags"] if tag["kind"] == "topic"]


def assert_reindexed(
    final: dict[str, dict[str, Any]], before: dict[str, dict[str, Any]], version: str, lexicon: Path
) -> None:
    """Every article re-enriched with the new lexicon, its story fields as they were."""
    assert all(doc["enrichment_version"] == version for doc in final.values())
    for doc_id, doc in before.items():
        assert {k: final[doc_id][k] for k in STORY_FIELDS} == {k: doc[k] for k in STORY_FIELDS}, doc_id
        assert topic_labels(final[doc_id]) == [f"{label}-v2" for label in topic_labels(doc)], doc_id
    assert sum(bool(topic_labels(doc)) for doc in final.values()) > len(final) // 4


@pytest.mark.settings(sink_batch_size=20)
@pytest.mark.timeout(900)
async def test_a_reindex_killed_midway_continues_to_the_same_result(
    settings: Settings,
    es: AsyncElasticsearch,
    tmp_path: Path,
    worker_factory: Callable[..., subprocess.Popen[bytes]],
) -> None:
    articles = raw_articles(settings, 300)
    worker_factory()
    produce(settings, articles)
    await wait_until_all_indexed(es, settings, {a.id for a in articles}, timeout=400)
    before = await documents(es, settings)
    (old_index,) = await concrete(es, settings)
    old_version = enrichment_context(settings.enrichment).version
    assert {doc["enrichment_version"] for doc in before.values()} == {old_version}

    lexicon = renamed_lexicon(tmp_path, "-v2")
    command, env = reindex_command(settings, lexicon, "--remove-old")
    first = await asyncio.create_subprocess_exec(
        *command, cwd=ROOT, env=env, stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL
    )

    async def midway() -> bool:
        try:
            state = await es.get(index=state_index(settings), id=STATE_ID)
        except ApiError:  # not there yet, or its shard is still starting
            return False
        return int(state["_source"]["done"]) >= 100

    try:
        await wait_for(midway, timeout=300, interval=0.2)
    finally:
        os.kill(first.pid, signal.SIGKILL)
        await first.wait()
    state = (await es.get(index=state_index(settings), id=STATE_ID))["_source"]
    assert 100 <= state["done"] < len(articles), "killed after the reindex finished"
    assert await concrete(es, settings) == [old_index]  # searches still go to the old index
    assert len(await documents(es, settings)) == len(articles)

    second = await asyncio.create_subprocess_exec(
        *command, cwd=ROOT, env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
    )
    _, stderr = await asyncio.wait_for(second.communicate(), timeout=600)
    assert second.returncode == 0, stderr.decode()[-3000:]
    assert "resumed and reindexed" in stderr.decode()

    (new_index,) = await concrete(es, settings)
    assert new_index == state["new_index"] != old_index
    assert not await es.indices.exists(index=old_index)
    assert not await es.indices.exists(index=state_index(settings))
    final = await documents(es, settings)
    assert sorted(final) == sorted(before)
    version = enrichment_context(EnrichmentSettings(topic_lexicon_file=lexicon)).version
    assert version != old_version
    assert_reindexed(final, before, version, lexicon)
    # the same result as enriching each article with the new lexicon (topics depend on nothing else)
    data = enrichment_context(EnrichmentSettings(topic_lexicon_file=lexicon))
    for article in articles[:40]:
        expected = process_value(encode(article), KafkaPosition(), data)
        assert isinstance(expected, EnrichedArticle)
        assert topic_labels(final[article.id]) == [t.label for t in expected.tags if t.kind == "topic"]


@pytest.mark.timeout(900)
async def test_reindex_while_producing_and_searching_loses_and_duplicates_nothing(
    settings: Settings,
    es: AsyncElasticsearch,
    tmp_path: Path,
    worker_factory: Callable[..., subprocess.Popen[bytes]],
) -> None:
    articles = raw_articles(settings, 700)
    first, live = articles[:500], articles[500:]
    old_worker = worker_factory()
    produce(settings, first)
    await wait_until_all_indexed(es, settings, {a.id for a in first}, timeout=500)
    before = await documents(es, settings)
    (old_index,) = await concrete(es, settings)

    # the lexicon changes: the workers are restarted with it, then the archive is reindexed
    lexicon = renamed_lexicon(tmp_path, "-v2")
    old_worker.terminate()
    old_worker.wait(timeout=60)
    worker_factory(topic_lexicon_file=lexicon)

    stop = asyncio.Event()
    seen: list[tuple[int, int]] = []  # (all articles, articles with the word) per search
    errors: list[BaseException] = []

    async def search_forever() -> None:
        while not stop.is_set():
            try:
                everything = (await es.count(index=settings.elasticsearch.articles_alias))["count"]
                found = await es.search(
                    index=settings.elasticsearch.articles_alias,
                    size=5,
                    track_total_hits=True,
                    query={"match": {"body": "السعودية"}},
                )
                seen.append((everything, found["hits"]["total"]["value"]))
            except Exception as exc:
                errors.append(exc)
            await asyncio.sleep(0.05)

    searches = asyncio.create_task(search_forever())
    await asyncio.sleep(1)
    producing = asyncio.create_task(asyncio.to_thread(produce, settings, live, 0.2))
    command, env = reindex_command(settings, lexicon, "--remove-old")
    reindex = await asyncio.create_subprocess_exec(
        *command, cwd=ROOT, env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
    )
    _, stderr = await asyncio.wait_for(reindex.communicate(), timeout=600)
    assert reindex.returncode == 0, stderr.decode()[-3000:]
    print(stderr.decode(), f"produced during the reindex: {not producing.done()}, searches: {len(seen)}")
    read = re.search(r"(\d+) raw records read", stderr.decode())
    assert read
    assert int(read[1]) > len(first)
    await producing
    await wait_until_all_indexed(es, settings, {a.id for a in articles}, timeout=300)
    version = enrichment_context(EnrichmentSettings(topic_lexicon_file=lexicon)).version

    async def all_reenriched() -> dict[str, dict[str, Any]] | None:
        final = await documents(es, settings)
        return final if all(doc["enrichment_version"] == version for doc in final.values()) else None

    final = await wait_for(all_reenriched, timeout=120)
    await asyncio.sleep(2)
    stop.set()
    await searches

    assert errors == []
    assert len(seen) > 20
    assert seen[0][0] >= len(first)
    assert seen[0][1] > 0
    for earlier, later in itertools.pairwise(seen):
        assert later[0] >= earlier[0], (earlier, later)
        assert later[1] >= earlier[1], (earlier, later)
    assert seen[-1][0] == len(articles)

    (new_index,) = await concrete(es, settings)
    assert new_index != old_index
    assert not await es.indices.exists(index=old_index)
    assert sorted(final) == sorted(a.id for a in articles)  # every article, once
    assert_reindexed(final, before, version, lexicon)
    assert all(label.endswith("-v2") for doc in final.values() for label in topic_labels(doc))


class StartWorkerOnceWritesMoved:
    """Progress that, when the reindex has moved the writes to the new index, starts a worker with the
    new lexicon and holds the reindex until that worker has written what was waiting on the raw topic,
    and a late link update has landed in the old index: the writes the tail and reconcile steps merge."""

    def __init__(self, settings: Settings, start: Callable[[], Any], ready: Callable[[], None]) -> None:
        self.phases: list[str] = []
        self._start = start
        self._ready = ready

    def phase(self, name: str, total: int | None) -> None:
        self.phases.append(name)
        if name == "waiting for writes in flight":
            self._start()
            self._ready()

    def advance(self, count: int) -> None: ...


@pytest.mark.timeout(900)
async def test_reindex_merges_what_workers_wrote_meanwhile_and_keeps_what_the_topic_lost(
    settings: Settings,
    es: AsyncElasticsearch,
    tmp_path: Path,
    worker_factory: Callable[..., subprocess.Popen[bytes]],
) -> None:
    articles = raw_articles(settings, 120)
    indexed, waiting = articles[:100], articles[100:]
    old_worker = worker_factory()
    produce(settings, indexed)
    await wait_until_all_indexed(es, settings, {a.id for a in indexed}, timeout=400)
    old_worker.terminate()
    old_worker.wait(timeout=60)
    (old_index,) = await concrete(es, settings)
    # a document whose raw record the topic no longer holds, and records no worker has indexed yet
    lost = dict((await documents(es, settings))[indexed[0].id], id="lost-to-retention")
    await es.index(index=old_index, id="lost-to-retention", document=lost, refresh=True)
    redelivered = indexed[1]
    produce(settings, [*waiting, redelivered])
    before = await documents(es, settings)
    late_link = {"headline": "عنوان لاحق", "id": indexed[3].id}
    lexicon = renamed_lexicon(tmp_path, "-v2")
    reindexing = settings.replace(**{"topic_lexicon_file": lexicon})

    def ready() -> None:
        """Block (the reindex waits) until the new worker wrote the waiting records to the new index."""
        sync = Elasticsearch(node_urls(settings), **connection_options(settings))
        try:
            sync.update(index=old_index, id=indexed[2].id, doc={"links": [late_link]})  # landed in the old index
            deadline = time.monotonic() + 300
            while time.monotonic() < deadline:
                new = [i for i in sync.indices.get_alias(name=settings.elasticsearch.articles_alias) if i != old_index]
                sync.indices.refresh(index=new)
                found = sync.mget(index=new[0], ids=[a.id for a in (*waiting, redelivered)])["docs"]
                if all(d.get("found") for d in found) and found[-1]["_source"]["seen_count"] == 2:
                    return
                time.sleep(0.5)
            raise AssertionError("the new worker did not index the waiting records")
        finally:
            sync.close()

    progress = StartWorkerOnceWritesMoved(settings, lambda: worker_factory(topic_lexicon_file=lexicon), ready)
    report = await Reindex(reindexing, es, Retrier(settings.retry.backoff), progress).run(remove_old=True)

    assert "waiting for writes in flight" in progress.phases
    assert report.skipped == len(waiting)  # not indexed when the copy read them
    assert report.kept_as_is == 1
    assert report.merged >= 1
    version = enrichment_context(EnrichmentSettings(topic_lexicon_file=lexicon)).version
    final = await documents(es, settings)
    assert sorted(final) == sorted([*(a.id for a in articles), "lost-to-retention"])
    assert final["lost-to-retention"]["enrichment_version"] == before["lost-to-retention"]["enrichment_version"]
    assert all(doc["enrichment_version"] == version for i, doc in final.items() if i != "lost-to-retention")
    assert final[redelivered.id]["seen_count"] == 2  # the worker's count, not the copy's
    assert late_link in final[indexed[2].id]["links"]  # the update that reached the old index late
    for article in indexed[3:]:
        assert {k: final[article.id][k] for k in STORY_FIELDS} == {k: before[article.id][k] for k in STORY_FIELDS}
