from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import pytest

from streams.dedup.entries import story_entry
from streams.dedup.stories import StoryAssignment, StoryIndex
from streams.pipeline import process_raw
from streams.records import EnrichedArticle, RawArticle
from streams.schemas import load_json
from streams.settings import Settings
from streams.sink.documents import document_id, to_document

pytestmark = pytest.mark.unit


def story_of(enriched: EnrichedArticle) -> StoryAssignment:
    settings = Settings()
    return StoryIndex.for_settings(settings).apply(story_entry(enriched, settings.dedup_num_perm))


def test_document_fields_exist_in_the_mapping(make_raw: Callable[..., RawArticle], seed_text: str) -> None:
    enriched = process_raw(make_raw(content=seed_text))
    doc = to_document(enriched, datetime(2025, 1, 1, tzinfo=UTC), story_of(enriched))
    mapped = load_json("elasticsearch/articles.index-template.json")["template"]["mappings"]["properties"]
    assert set(doc) == set(mapped)
    assert set(doc["source"]) == set(mapped["source"]["properties"])


def test_document_carries_the_search_keys(make_raw: Callable[..., RawArticle], seed_text: str) -> None:
    enriched = process_raw(make_raw(id="seed", content=seed_text))
    doc = to_document(enriched, datetime(2025, 1, 1, tzinfo=UTC), story_of(enriched))
    assert document_id(enriched) == "seed"
    assert "الولايات المتحده" in doc["body_key"]
    assert "المصدر" not in doc["body"]
    assert doc["source"]["name"] == "صدى البلد"
