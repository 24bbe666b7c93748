from __future__ import annotations

from collections.abc import Callable

import pytest

from streams.enrich.names import NameDictionary
from streams.parse.article import parse_article
from streams.records import EnrichedArticle, RawArticle

pytestmark = pytest.mark.unit

TAGGED = "زار وزير الخارجية مدينة زمردان الساحلية أمس.\n\nكلمات دلالية: زمردان"
LATER = "ويقع ميناء زمردان على الساحل."


def test_a_page_tag_recognised_as_a_name_serves_later_articles(
    make_raw: Callable[..., RawArticle], enrich_one: Callable[..., EnrichedArticle]
) -> None:
    without = enrich_one(parse_article(make_raw(id="later", content=LATER)))
    assert [e for e in without.entities if "زمردان" in e.text] == []

    names = NameDictionary()
    enrich_one(parse_article(make_raw(id="tagged", content=TAGGED)), names)
    assert names.drain_learned() == {"زمردان": "LOCATION"}
    assert names.drain_learned() == {}

    later = enrich_one(parse_article(make_raw(id="later", content=LATER)), names)
    found = [(e.text, e.type, e.found_by) for e in later.entities if "زمردان" in e.text]
    assert ("زمردان", "LOCATION", "names:body") in found


def test_tags_that_are_not_names_are_not_learned(
    make_raw: Callable[..., RawArticle], enrich_one: Callable[..., EnrichedArticle]
) -> None:
    names = NameDictionary()
    enrich_one(parse_article(make_raw(content="ارتفعت الأسعار في الأسواق اليوم.\n\nوسوم: اقتصاد، أسعار")), names)
    assert len(names) == 0


def test_names_from_other_workers_are_merged() -> None:
    names = NameDictionary({"زمردان": "LOCATION"})
    names.update({"نوفاكس": "ORG"})
    gazetteer = names.gazetteer()
    assert gazetteer is not None
    assert [m.kind for m in gazetteer.find("شركه نوفاكس في زمردان")] == ["ORG", "LOCATION"]
