from __future__ import annotations

from collections.abc import Callable

import pytest

from streams.enrich.article import body_text, page_tags
from streams.enrich.spellings import default_spellings
from streams.parse.article import parse_article
from streams.records import EnrichedArticle, RawArticle, Tag
from tests.conftest import SEED_TAGS_DEDUPLICATED

pytestmark = pytest.mark.unit


def test_page_tags_deduplicated_across_spellings() -> None:
    tags = page_tags(("الولايات المتحدة", "كوريا", "الولایات المتحدة", "الولايات  المتحدة "), (), default_spellings())
    assert tags == [
        Tag("الولايات المتحدة", "الولايات المتحده", "page", 1.0),
        Tag("كوريا", "كوريا", "page", 1.0),
    ]


def test_seed_enrichment(
    make_raw: Callable[..., RawArticle], seed_text: str, enrich_one: Callable[..., EnrichedArticle]
) -> None:
    enriched = enrich_one(parse_article(make_raw(content=seed_text)))
    page = [t.label for t in enriched.tags if t.kind == "page"]
    # the site's "أوستن" is the surname of لويد أوستن, named in full in the article
    assert page == [("لويد أوستن" if t == "أوستن" else t) for t in SEED_TAGS_DEDUPLICATED]
    body = body_text(enriched.article)
    for entity in enriched.entities:
        text = enriched.article.title if entity.found_by.endswith(":title") else body
        assert text[entity.start : entity.end] == entity.text
    keys = {e.key for e in enriched.entities}
    assert {"الولايات المتحده", "كوريا الجنوبيه"} <= keys
    united_states = [e for e in enriched.entities if e.key == "الولايات المتحده"]
    assert len(united_states) >= 4
    assert all(e.type == "LOCATION" for e in united_states)
    entity_tags = [t for t in enriched.tags if t.kind == "entity"]
    assert {entity_tags[0].key, entity_tags[1].key} == {"الولايات المتحده", "لويد اوستن"}
    topic = next(t for t in enriched.tags if t.kind == "topic")
    assert (topic.key, topic.label) == ("دفاع وامن", "دفاع وأمن")  # an Arabic name on an Arabic article
    assert topic.aliases == ("defence",)  # and its English name, for English facets and searches
    keyphrases = [t.label for t in enriched.tags if t.kind == "keyphrase"]
    assert "الأولويات الدفاعية والأمنية المشتركة" in keyphrases
    assert not [k for k in keyphrases if "شين" in k]  # no piece of the name شين وونسيك


def test_seed_entities_a_reader_can_click(
    make_raw: Callable[..., RawArticle], seed_text: str, enrich_one: Callable[..., EnrichedArticle]
) -> None:
    enriched = enrich_one(parse_article(make_raw(content=seed_text)))
    found = {(e.label, e.type) for e in enriched.entities}
    assert ("شين وونسيك", "PERSON") in found
    assert ("المحيطين الهندي والهادئ", "LOCATION") in found
    austin = {e.key for e in enriched.entities if "أوستن" in e.text}
    assert austin == {"لويد اوستن"}  # every mention, the surname alone too, under one key
    # no label keeps a proclitic: none is another label with a letter in front
    labels = {e.label for e in enriched.entities}
    assert not [label for label in labels if label[:1] in "وفبلك" and label[1:] in labels]
