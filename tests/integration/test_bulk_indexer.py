"""BulkIndexer against the real node: acknowledged, idempotent and rejected items."""

from __future__ import annotations

import asyncio

import pytest
from elasticsearch import AsyncElasticsearch, SerializationError

from streams.retry import Retrier
from streams.settings import Settings
from streams.sink.elasticsearch import BulkIndexer

pytestmark = pytest.mark.integration


async def test_rejected_documents_are_reported_not_retried(settings: Settings, es: AsyncElasticsearch) -> None:
    indexer = BulkIndexer(es, settings.articles_alias, settings.sink, Retrier(settings.backoff))
    outcome = await indexer.write(
        [
            ("ok-1", {"id": "ok-1", "title": "t"}),
            ("bad-1", {"id": "bad-1", "not_in_mapping": 1}),
            ("bad-2", {"id": "bad-2", "word_count": "many"}),
        ],
        refresh=True,
    )
    assert outcome.indexed == ["ok-1"]
    assert sorted(r.doc_id for r in outcome.rejected) == ["bad-1", "bad-2"]
    assert all(r.status == 400 for r in outcome.rejected)
    assert any("strict_dynamic_mapping" in r.reason for r in outcome.rejected)
    assert all(r.mapping for r in outcome.rejected)  # dead-lettered with reason "mapping"
    assert outcome.retries == 0


async def test_writing_the_same_id_twice_keeps_one_document(settings: Settings, es: AsyncElasticsearch) -> None:
    indexer = BulkIndexer(es, settings.articles_alias, settings.sink, Retrier(settings.backoff))
    await indexer.write([("same", {"id": "same", "title": "first"})])
    await indexer.write([("same", {"id": "same", "title": "second"})], refresh=True)
    assert (await es.count(index=settings.articles_alias))["count"] == 1
    assert (await es.get(index=settings.articles_alias, id="same"))["_source"]["title"] == "second"


async def test_a_document_that_cannot_be_serialized_is_raised_not_retried(
    settings: Settings, es: AsyncElasticsearch
) -> None:
    counted: list[str] = []
    indexer = BulkIndexer(es, settings.articles_alias, settings.sink, Retrier(settings.backoff, counted.append))
    with pytest.raises(SerializationError):
        await asyncio.wait_for(indexer.write([("x", {"id": "x", "title": object()})]), timeout=30)
    assert counted == []
