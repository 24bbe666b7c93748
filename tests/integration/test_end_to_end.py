"""The seed article through the real pipeline: Kafka -> Faust worker -> Elasticsearch."""

from __future__ import annotations

import asyncio
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any
from uuid import uuid4

import orjson
import pytest
from elasticsearch import AsyncElasticsearch
from kafka import KafkaProducer

from streams.kafka.security import kafka_python_options
from streams.search import SearchFilters, search_articles
from streams.search import search as run_search
from streams.settings import Settings
from streams.sink.elasticsearch import drop_index, open_client
from tests.conftest import SEED_ARTICLE, SEED_TAGS_DEDUPLICATED
from tests.integration.conftest import committed_offsets, read_topic, wait_for

pytestmark = pytest.mark.integration

Cli = Callable[..., subprocess.CompletedProcess[bytes]]


async def indexed_count(es: AsyncElasticsearch, settings: Settings) -> int:
    await es.indices.refresh(index=settings.elasticsearch.articles_alias)
    return int((await es.count(index=settings.elasticsearch.articles_alias))["count"])


@pytest.mark.usefixtures("worker")
async def test_seed_article_becomes_a_searchable_document(
    settings: Settings, es: AsyncElasticsearch, run_cli: Cli
) -> None:
    run_cli("produce", "--no-progress", str(SEED_ARTICLE))

    async def seed_hits() -> list[Any]:
        return await search_articles(es, settings, "كوريا الجنوبية")

    (hit,) = await wait_for(seed_hits)
    doc = (await es.get(index=settings.elasticsearch.articles_alias, id=hit.id))["_source"]
    assert doc["source"]["name"] == "صدى البلد"
    assert doc["title"].startswith("أعلنت وزارة الدفاع الأمريكية")
    assert doc["body"].endswith("والازدهار.")
    assert all(marker not in doc["body"] for marker in ("المصدر:", "كلمات دلالية", "إقرأ أيضاً", "مقالات مشابهة"))
    page_tags = [t["label"] for t in doc["tags"] if t["kind"] == "page"]
    assert page_tags == [("لويد أوستن" if t == "أوستن" else t) for t in SEED_TAGS_DEDUPLICATED]
    assert {"الولايات المتحده", "كوريا الجنوبيه", "لويد اوستن"} <= {e["key"] for e in doc["entities"]}
    assert {"الولايات المتحدة", "كوريا الجنوبية", "لويد أوستن"} <= {e["label"] for e in doc["entities"]}
    assert len(doc["similar"]) == 10
    # The Persian-yeh spelling finds the same article.
    assert [h.id for h in await search_articles(es, settings, "الولایات المتحدة")] == [hit.id]
    # And the CLI prints it.
    printed = run_cli("search", "كوريا الجنوبية").stdout.decode()
    assert "1 hit(s)" in printed
    assert "صدى البلد" in printed
    # facets show labels (grouped by key), never the matching key itself
    assert "لويد أوستن" in printed
    assert "وزارة الدفاع الأمريكية" in printed
    assert all(key not in printed for key in ("لويد اوستن", "وزاره الدفاع الامريكيه", "الولايات المتحده"))
    # the topic reads Arabic, and its English name finds it too
    assert {"label": "دفاع وأمن", "aliases": ["defence"]}.items() <= next(
        t for t in doc["tags"] if t["kind"] == "topic"
    ).items()
    by_tag = await run_search(es, settings, "", SearchFilters(tag="دفاع وأمن"), facets=False)
    by_alias = await es.search(index=settings.elasticsearch.articles_alias, query={"term": {"tags.aliases": "defence"}})
    assert [h.id for h in by_tag.hits] == [d["_id"] for d in by_alias["hits"]["hits"]] == [hit.id]
    assert "per day" in printed


@pytest.mark.usefixtures("worker")
async def test_producing_twice_leaves_one_document(settings: Settings, es: AsyncElasticsearch, run_cli: Cli) -> None:
    run_cli("produce", "--no-progress", str(SEED_ARTICLE))
    run_cli("produce", "--no-progress", str(SEED_ARTICLE))

    async def both_indexed_and_committed() -> bool:
        return committed_offsets(settings, settings.topics.enriched) >= 2

    await wait_for(both_indexed_and_committed)
    assert await indexed_count(es, settings) == 1
    (hit,) = (await es.search(index=settings.elasticsearch.articles_alias, query={"match_all": {}}))["hits"]["hits"]
    doc = hit["_source"]
    assert doc["seen_count"] == 2
    assert doc["story_id"] == hit["_id"]
    assert doc["duplicate_of"] is None
    assert doc["first_seen"] < doc["last_seen"]
    assert doc["entities"]  # the enriched fields are kept


@pytest.mark.usefixtures("worker")
def test_process_command_and_worker_give_the_same_record(settings: Settings, run_cli: Cli) -> None:
    offline = orjson.loads(run_cli("process", str(SEED_ARTICLE)).stdout)
    run_cli("produce", "--no-progress", str(SEED_ARTICLE))
    (record,) = read_topic(settings, settings.topics.enriched, expected=1)
    assert record.key.decode() == offline["article"]["id"]
    assert orjson.loads(record.value) == offline


@pytest.mark.usefixtures("worker")
async def test_bad_input_is_dead_lettered_and_good_input_indexed(
    settings: Settings, es: AsyncElasticsearch, run_cli: Cli, tmp_path: Path
) -> None:
    bad_file = tmp_path / "mixed.jsonl"
    bad_file.write_bytes(
        b'{"id": "good-1", "title": "T", "content": "\xd9\x86\xd8\xb5 \xd8\xae\xd8\xa8\xd8\xb1"}\n{broken\n'
    )
    result = run_cli("produce", "--no-progress", str(bad_file))
    assert b"1 dead-lettered" in result.stderr
    assert b"not valid JSON" in result.stderr
    producer = KafkaProducer(**kafka_python_options(settings.kafka), acks="all")
    producer.send(settings.topics.raw, key=b"garbage", value=b"\xff\xfe not json")
    producer.send(settings.topics.raw, key=b"empty", value=orjson.dumps({"schema_version": 1, "id": "x"}))
    producer.flush()
    producer.close()

    letters = [orjson.loads(r.value) for r in read_topic(settings, settings.topics.dead_letters, expected=3)]
    by_stage = sorted((letter["stage"], letter["error_message"]) for letter in letters)
    assert [stage for stage, _ in by_stage] == ["decode", "decode", "produce"]
    assert "not valid UTF-8" in by_stage[0][1] + by_stage[1][1]
    assert "violates its schema" in by_stage[0][1] + by_stage[1][1]
    assert "line is not valid JSON" in by_stage[2][1]
    decode_letters = [letter for letter in letters if letter["stage"] == "decode"]
    assert all(
        letter["position"]["topic"] == settings.topics.raw and letter["position"]["offset"] is not None
        for letter in decode_letters
    )

    async def good_indexed() -> bool:
        await es.indices.refresh(index=settings.elasticsearch.articles_alias)
        return bool(await es.exists(index=settings.elasticsearch.articles_alias, id="good-1"))

    await wait_for(good_indexed)
    await asyncio.sleep(0)


async def test_learned_names_survive_a_worker_restart(
    settings: Settings, es: AsyncElasticsearch, run_cli: Cli, tmp_path: Path, worker_factory: Callable[[], Any]
) -> None:
    """A name learned from one article's page tags reaches a fresh worker process through the shared
    names topic (read before its first batch), and tags a later article the tagger alone would not tag."""
    tagged, later = tmp_path / "tagged.txt", tmp_path / "later.txt"
    tagged.write_text("زار وزير الخارجية مدينة زمردان الساحلية أمس.\n\nكلمات دلالية: زمردان", encoding="utf-8")
    later.write_text("ويقع ميناء زمردان على الساحل.", encoding="utf-8")

    first = worker_factory()
    run_cli("produce", "--no-progress", str(tagged))

    async def one_indexed() -> bool:
        return await indexed_count(es, settings) == 1

    await wait_for(one_indexed)
    await asyncio.sleep(3)  # let the worker publish what it learned before it stops
    first.terminate()
    first.wait(timeout=60)

    worker_factory()
    run_cli("produce", "--no-progress", str(later))

    async def later_entities() -> list[Any]:
        await es.indices.refresh(index=settings.elasticsearch.articles_alias)
        hits = (await es.search(index=settings.elasticsearch.articles_alias, query={"match": {"body": "ميناء"}}))[
            "hits"
        ]["hits"]
        return hits[0]["_source"]["entities"] if hits else []

    entities = await wait_for(later_entities)
    assert {"text": "زمردان", "type": "LOCATION", "found_by": "names:body"}.items() <= next(
        e for e in entities if e["found_by"] == "names:body"
    ).items()


async def test_dead_letters_are_listed_shown_and_replayed_after_a_fix(
    settings: Settings, es: AsyncElasticsearch, run_cli: Cli, tmp_path: Path, worker_factory: Callable[..., Any]
) -> None:
    """A worker with a too-small payload limit dead-letters the seed; after the limit is fixed,
    ``newsflow dlq replay`` puts it back and it is indexed once."""
    strict = worker_factory(max_payload_bytes=2000)
    run_cli("produce", "--no-progress", str(SEED_ARTICLE))
    (letter,) = [orjson.loads(r.value) for r in read_topic(settings, settings.topics.dead_letters, expected=1)]
    assert letter["stage"] == "decode"
    assert "over the limit of 2,000" in letter["error_message"]

    listed = run_cli("dlq", "list", "--stage", "decode").stdout.decode()
    assert "PoisonRecordError" in listed
    assert "over the limit" in listed
    position = listed.split()[0]
    shown = orjson.loads(run_cli("dlq", "show", position).stdout)
    assert shown["payload"] == letter["payload"]
    assert run_cli("dlq", "show", "3:99999", check=False).returncode == 1

    strict.terminate()
    strict.wait(timeout=60)
    worker_factory()  # the fix: default payload limit
    replayed = run_cli("dlq", "replay", "--stage", "decode", "--error", "over the limit")
    assert b"replayed 1 dead letter(s)" in replayed.stderr

    async def seed_indexed() -> bool:
        return await indexed_count(es, settings) == 1

    await wait_for(seed_indexed)


def test_setup_says_where_text_is_analyzed(run_cli: Cli) -> None:
    """The node of deploy/local/services has the newsflow-analysis plugin; key fields can be forced."""
    on_node = run_cli("setup").stderr.decode()
    assert "text analyzed by the node (newsflow-analysis plugin)" in on_node
    prefix = f"test-setup-{uuid4().hex[:12]}"
    env = {"NEWSFLOW_TEXT_ANALYSIS": "key_fields", "NEWSFLOW_INDEX_PREFIX": prefix}
    try:
        in_newsflow = run_cli("setup", env_overrides=env).stderr.decode()
        assert "text analysis in newsflow (*_key/*_stem fields)" in in_newsflow
    finally:
        asyncio.run(_drop(Settings(index_prefix=prefix)))


async def _drop(settings: Settings) -> None:
    async with open_client(settings) as es:
        await drop_index(es, settings)
