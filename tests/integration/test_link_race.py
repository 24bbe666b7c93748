"""Headline links across workers: the link from an article to a later one whose title it listed must
survive the order in which the two workers' writes reach Elasticsearch.

Worker 1 is this test doing what the index agent does for the seed article — append its sketch to the
story log, take its story, bulk-index it — but holding the bulk, as a busy worker does. Worker 2 is a
real ``newsflow worker`` that indexes an article titled like one of the seed's similar headlines: its
story says the seed links to it, and its link update reaches Elasticsearch before the seed does. The
link must be there once worker 1 flushes."""

from __future__ import annotations

import asyncio
import dataclasses
from datetime import UTC, datetime
from typing import Any

import pytest
from aiokafka import AIOKafkaProducer
from elasticsearch import AsyncElasticsearch

from streams.dedup.entries import story_entry
from streams.enrich.enricher import EnrichmentContext
from streams.kafka.codec import encode
from streams.kafka.security import aiokafka_options
from streams.kafka.story_log import StoryLog
from streams.pipeline.options import story_options
from streams.pipeline.process import process_value
from streams.records import EnrichedArticle, KafkaPosition, RawArticle
from streams.retry import Retrier
from streams.settings import Settings
from streams.sink.analysis import index_has_server_analysis
from streams.sink.documents import to_document, with_key_fields
from streams.sink.elasticsearch import BulkIndexer
from streams.sources.files import read_paths
from streams.sources.producer import create_producer
from tests.conftest import SEED_ARTICLE
from tests.integration.conftest import wait_for
from tests.integration.test_stories import copy_of, sample_articles

pytestmark = pytest.mark.integration


class LogTopic:
    """The story-log topic as StoryLog sends to it (a Faust topic in the worker)."""

    def __init__(self, producer: AIOKafkaProducer, name: str) -> None:
        self._producer = producer
        self._name = name

    async def send(self, key: bytes, value: bytes) -> Any:
        return await self._producer.send(self._name, key=key, value=value)


@pytest.mark.usefixtures("worker")
@pytest.mark.timeout(300)
async def test_a_link_update_that_arrives_before_its_target_is_not_lost(
    settings: Settings, es: AsyncElasticsearch, context: EnrichmentContext
) -> None:
    (raw,) = [item for item in read_paths([SEED_ARTICLE], settings.inputs.jsonl_fields) if isinstance(item, RawArticle)]
    seed = process_value(encode(raw), KafkaPosition(), context)
    assert isinstance(seed, EnrichedArticle)
    producer = AIOKafkaProducer(**aiokafka_options(settings.kafka))
    await producer.start()
    stories = StoryLog(settings, story_options(settings), LogTopic(producer, settings.topics.story_log))
    reader = asyncio.create_task(stories.read_forever())
    try:
        # worker 1 takes the seed's story: the seed is in the log, not yet in Elasticsearch
        (assignment,) = await stories.assign([story_entry(seed, settings.stories.num_perm)])
        assert assignment.links == ()

        # worker 2 indexes the later article and sends the seed its link
        headline = seed.article.similar[3]
        (body,) = sample_articles(settings, 1)
        later = dataclasses.replace(copy_of(body, "later", body.content), title=headline)
        kafka = create_producer(settings)
        try:
            kafka.send(settings.topics.raw, key=later.id.encode(), value=encode(later)).get(timeout=30)
        finally:
            kafka.close()

        async def later_indexed() -> bool:
            return bool(await es.exists(index=settings.elasticsearch.articles_alias, id=later.id))

        await wait_for(later_indexed, timeout=120)
        await asyncio.sleep(2 * settings.sink.batch_seconds + 1)  # the update has met no seed document
        assert not await es.exists(index=settings.elasticsearch.articles_alias, id=seed.article.id)

        # worker 1 flushes the seed at last, with the links its story had then (none)
        key_fields = not await index_has_server_analysis(es, settings.elasticsearch.articles_alias)
        document = to_document(seed, datetime.now(UTC), assignment)
        document = with_key_fields(document) if key_fields else document
        indexer = BulkIndexer(es, settings.elasticsearch.articles_alias, settings.sink, Retrier(settings.retry.backoff))
        outcome = await indexer.write([(seed.article.id, document)])
        assert outcome.indexed == [seed.article.id]
    finally:
        reader.cancel()
        await producer.stop()

    async def linked() -> list[dict[str, str]] | None:
        found = await es.get(index=settings.elasticsearch.articles_alias, id=seed.article.id)
        links: list[dict[str, str]] = found["_source"]["links"]
        return links or None

    assert await wait_for(linked, timeout=90) == [{"headline": headline, "id": later.id}]
