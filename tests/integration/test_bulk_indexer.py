"""BulkIndexer against the real node: acknowledged, idempotent and rejected items."""

from __future__ import annotations

import asyncio

import pytest
from elasticsearch import AsyncElasticsearch, SerializationError

from streams.retry import Backoff, Cause, Retrier
from streams.settings import Settings
from streams.sink.elasticsearch import BulkIndexer

pytestmark = pytest.mark.integration


async def test_rejected_documents_are_reported_not_retried(settings: Settings, es: AsyncElasticsearch) -> None:
    indexer = BulkIndexer(es, settings.elasticsearch.articles_alias, settings.sink, Retrier(settings.retry.backoff))
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
    indexer = BulkIndexer(es, settings.elasticsearch.articles_alias, settings.sink, Retrier(settings.retry.backoff))
    await indexer.write([("same", {"id": "same", "title": "first"})])
    await indexer.write([("same", {"id": "same", "title": "second"})], refresh=True)
    assert (await es.count(index=settings.elasticsearch.articles_alias))["count"] == 1
    assert (await es.get(index=settings.elasticsearch.articles_alias, id="same"))["_source"]["title"] == "second"


async def test_a_document_that_cannot_be_serialized_is_raised_not_retried(
    settings: Settings, es: AsyncElasticsearch
) -> None:
    counted: list[str] = []
    retrier = Retrier(settings.retry.backoff, lambda what, cause: counted.append(what))
    indexer = BulkIndexer(es, settings.elasticsearch.articles_alias, settings.sink, retrier)
    with pytest.raises(SerializationError):
        await asyncio.wait_for(indexer.write([("x", {"id": "x", "title": object()})]), timeout=30)
    assert counted == []


async def test_a_throttling_node_holds_the_batch_as_backpressure_until_it_accepts(
    settings: Settings, es: AsyncElasticsearch
) -> None:
    """An index under the read_only_allow_delete block (what a node puts on at its flood-stage disk
    watermark) answers 429: the writer waits, counts each wait as ``throttled``, and finishes once the
    block is lifted."""
    index = await es.indices.get_alias(name=settings.elasticsearch.articles_alias)
    concrete = next(iter(index))
    await es.indices.put_settings(index=concrete, settings={"index.blocks.read_only_allow_delete": True})
    counted: list[tuple[str, Cause]] = []
    retrier = Retrier(Backoff(max_seconds=0.5, first_seconds=0.1), lambda what, cause: counted.append((what, cause)))
    indexer = BulkIndexer(es, settings.elasticsearch.articles_alias, settings.sink, retrier)
    writing = asyncio.create_task(indexer.write([("held", {"id": "held", "title": "t"})], refresh=True))
    try:
        for _ in range(100):
            if len(counted) >= 2:
                break
            await asyncio.sleep(0.1)
        assert not writing.done()
        assert counted
        assert set(counted) == {("indexing", "throttled")}
    finally:
        await es.indices.put_settings(index=concrete, settings={"index.blocks.read_only_allow_delete": None})
    outcome = await asyncio.wait_for(writing, timeout=60)
    assert outcome.indexed == ["held"]
    assert outcome.retries == len(counted)
