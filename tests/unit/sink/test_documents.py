from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import pytest

from streams.enrich.enricher import EnrichmentContext
from streams.pipeline.process import offline_documents, process_raw
from streams.records import RawArticle
from streams.schemas import load_json
from streams.settings import Settings
from streams.sink.documents import document_id

pytestmark = pytest.mark.unit


def test_document_fields_exist_in_the_mapping(
    make_raw: Callable[..., RawArticle], seed_text: str, context: EnrichmentContext
) -> None:
    enriched = [process_raw(make_raw(content=seed_text), context)]
    ((_, doc),) = offline_documents(enriched, Settings(), datetime(2025, 1, 1, tzinfo=UTC), key_fields=True)
    mapped = load_json("elasticsearch/articles.index-template.json")["template"]["mappings"]["properties"]
    assert set(doc) == set(mapped)
    assert set(doc["source"]) == set(mapped["source"]["properties"])
    ((_, analyzed_on_node),) = offline_documents(
        enriched, Settings(), datetime(2025, 1, 1, tzinfo=UTC), key_fields=False
    )
    assert set(doc) - set(analyzed_on_node) == {"title_key", "title_stem", "body_key", "body_stem"}


def test_document_carries_the_search_keys(
    make_raw: Callable[..., RawArticle], seed_text: str, context: EnrichmentContext
) -> None:
    enriched = process_raw(make_raw(id="seed", content=seed_text), context)
    ((doc_id, doc),) = offline_documents([enriched], Settings(), datetime(2025, 1, 1, tzinfo=UTC), key_fields=True)
    assert doc_id == document_id(enriched) == "seed"
    assert "الولايات المتحده" in doc["body_key"]
    assert "المصدر" not in doc["body"]
    assert doc["source"]["name"] == "صدى البلد"
