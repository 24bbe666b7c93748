from __future__ import annotations

import orjson
import pytest

from streams.enrich.enricher import EnrichmentContext
from streams.enrich.entities import recognize, rule_entities
from streams.enrich.ner.gazetteer import default_gazetteer
from streams.enrich.standard import EntityEnricher
from streams.enrich.topics import BBC_CATEGORY_TOPICS, lexicon, topic_scores
from tests.conftest import BBC

pytestmark = pytest.mark.unit


def test_english_entities_by_gazetteer_and_rules() -> None:
    text = "Prime Minister Tony Blair met officials of the World Bank in London. Shares in Acme Holdings Ltd rose."
    found = {(e.text, e.type) for e in rule_entities(text, "body", default_gazetteer())}
    assert ("Tony Blair", "PERSON") in found
    assert ("World Bank", "ORG") in found
    assert ("London", "LOCATION") in found
    assert ("Acme Holdings Ltd", "ORG") in found
    for entity in rule_entities(text, "body", default_gazetteer()):
        assert text[entity.start : entity.end] == entity.text


def test_english_entities_by_the_english_tagger(context: EnrichmentContext) -> None:
    title = "Blair meets Merkel in Berlin"
    body = (
        "Prime Minister Tony Blair met officials of the World Bank in London on Monday. "
        "Shares in Vodafone rose after the European Commission cleared the deal."
    )
    entities = next(e for e in context.enrichers if isinstance(e, EntityEnricher))
    found = recognize({"title": title, "body": body}, "en", entities.recognizers, entities.gazetteer)
    typed = {(e.text, e.type, e.found_by.partition(":")[0]) for e in found}
    assert {("Tony Blair", "PERSON", "model"), ("Vodafone", "ORG", "model"), ("Berlin", "LOCATION", "model")} <= typed
    assert ("European Commission", "ORG", "model") in typed
    assert {"London", "World Bank", "Merkel"} <= {e.text for e in found}
    for entity in found:
        text = title if entity.found_by.endswith(":title") else body
        assert text[entity.start : entity.end] == entity.text


@pytest.mark.parametrize(
    ("text", "topic"),
    [
        ("سجل الهلال ثلاثة أهداف في مباراة الدوري أمام النصر وقال المدرب إن الفريق", "sports"),
        ("ارتفعت أسعار النفط في السوق وقال البنك إن الاقتصاد والاستثمار", "economy"),
        ("The film won three awards at the festival, and the actor thanked the director", "culture"),
    ],
)
def test_topics(text: str, topic: str) -> None:
    assert topic_scores(text, lexicon())[0][0] == topic


def test_topic_accuracy_on_bbc_categories() -> None:
    with BBC.open("rb") as handle:
        records = [orjson.loads(line) for line in handle]
    table = lexicon()
    correct = sum(
        (scores := topic_scores(f"{r['title']}\n{r['text']}", table)) != []
        and scores[0][0] == BBC_CATEGORY_TOPICS[r["category"]]
        for r in records
    )
    assert correct / len(records) >= 0.85


def test_a_topic_is_named_in_the_article_language_and_aliased_in_the_others() -> None:
    table = lexicon()
    assert table.label("defence", "ar") == "دفاع وأمن"
    assert table.aliases("defence", "ar") == ("defence",)
    assert table.aliases("defence", "en") == ("دفاع وأمن",)
    assert table.label("defence", "fa") == "defence"  # no Persian name: its id, the English name
    assert table.aliases("defence", "fa") == ("دفاع وأمن",)
