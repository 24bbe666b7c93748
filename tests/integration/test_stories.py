"""Stories across workers: copies of one story produced onto different partitions, consumed by two
workers in one group, end in one story (streams.kafka.story_log orders every sketch in one log)."""

from __future__ import annotations

import dataclasses
import itertools
import subprocess
from collections.abc import Callable
from typing import Any

import pytest
from elasticsearch import AsyncElasticsearch

from streams.kafka.codec import encode
from streams.records import RawArticle
from streams.settings import Settings
from streams.sources.files import read_paths
from streams.sources.inputs import stable_id
from streams.sources.producer import create_producer
from tests.conftest import SAUDI_SAMPLE, SEED_ARTICLE
from tests.integration.conftest import documents_when_all_indexed, produce_to_partitions, wait_for

pytestmark = pytest.mark.integration


def sample_articles(settings: Settings, count: int) -> list[RawArticle]:
    """Long enough SaudiNewsNet records (several paragraphs), distinct stories."""
    items = (i for i in read_paths([SAUDI_SAMPLE], settings.inputs.jsonl_fields) if isinstance(i, RawArticle))
    return list(itertools.islice((i for i in items if i.content.count("\n") >= 4 and len(i.content) > 1500), count))


def copy_of(article: RawArticle, outlet: str, content: str) -> RawArticle:
    url = f"https://{outlet}.example/{article.id}"
    return dataclasses.replace(article, id=stable_id(url=url), url=url, source_name=outlet, content=content)


def near_copy(content: str) -> str:
    """What a second outlet does to wire copy: drops the last paragraph, writes ی for ي, adds a line."""
    paragraphs = [p for p in content.split("\n") if p.strip()]
    return "\n".join([*paragraphs[:-1], "وللمزيد تابعونا على موقعنا."]).replace("ي", "ی")


@pytest.mark.settings(topic_partitions=2)
@pytest.mark.timeout(300)
async def test_copies_on_different_partitions_and_workers_end_in_one_story(
    settings: Settings, es: AsyncElasticsearch, worker_factory: Callable[[], subprocess.Popen[bytes]]
) -> None:
    original, other = sample_articles(settings, 2)
    exact = copy_of(original, "okaz", original.content)
    edited = copy_of(original, "alwatan", near_copy(original.content))
    placed = [(original, 0), (exact, 1), (edited, 1), (other, 0)]
    worker_factory()
    worker_factory()
    produce_to_partitions(settings, placed)
    docs = await documents_when_all_indexed(es, settings, len(placed))
    story = {docs[a.id]["story_id"] for a in (original, exact, edited)}
    assert len(story) == 1
    (story_id,) = story
    assert story_id in {original.id, exact.id, edited.id}
    assert docs[story_id]["duplicate_of"] is None
    for member in {original.id, exact.id, edited.id} - {story_id}:
        assert docs[member]["duplicate_of"] == story_id
        assert docs[member]["similarity"] >= settings.stories.threshold
    assert docs[other.id]["story_id"] == other.id
    assert docs[other.id]["duplicate_of"] is None
    stories = await es.search(
        index=settings.elasticsearch.articles_alias,
        size=0,
        aggs={"stories": {"terms": {"field": "story_id", "min_doc_count": 2}}},
    )
    assert [(b["key"], b["doc_count"]) for b in stories["aggregations"]["stories"]["buckets"]] == [(story_id, 3)]


@pytest.mark.usefixtures("worker")
async def test_an_article_indexed_later_is_linked_from_the_one_that_named_it(
    settings: Settings, es: AsyncElasticsearch, run_cli: Callable[..., subprocess.CompletedProcess[bytes]]
) -> None:
    run_cli("produce", "--no-progress", str(SEED_ARTICLE))

    async def seed() -> dict[str, Any] | None:
        await es.indices.refresh(index=settings.elasticsearch.articles_alias)
        hits = (await es.search(index=settings.elasticsearch.articles_alias, size=1))["hits"]["hits"]
        return {"_id": hits[0]["_id"], **hits[0]["_source"]} if hits else None

    first = await wait_for(seed)
    assert first["links"] == []
    headline = first["similar"][3]
    (body,) = sample_articles(settings, 1)
    later = copy_of(body, "later", body.content)
    later = dataclasses.replace(later, title=headline)
    producer = create_producer(settings)
    try:
        producer.send(settings.topics.raw, key=later.id.encode(), value=encode(later)).get(timeout=30)
    finally:
        producer.close()

    async def linked() -> list[dict[str, str]] | None:
        links: list[dict[str, str]] = (await es.get(index=settings.elasticsearch.articles_alias, id=first["_id"]))[
            "_source"
        ]["links"]
        return links or None

    assert await wait_for(linked) == [{"headline": headline, "id": later.id}]
