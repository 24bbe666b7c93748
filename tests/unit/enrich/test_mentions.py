from __future__ import annotations

from collections.abc import Callable

import pytest

from streams.enrich.article import body_text
from streams.enrich.mentions import resolve
from streams.enrich.names import AMBIGUOUS, Alias, NameDictionary
from streams.enrich.spellings import default_spellings
from streams.parse.article import parse_article
from streams.records import EnrichedArticle, Entity, RawArticle
from streams.text.normalize import matching_key

pytestmark = pytest.mark.unit


@pytest.fixture
def seed(
    make_raw: Callable[..., RawArticle], seed_text: str, enrich_one: Callable[..., EnrichedArticle]
) -> EnrichedArticle:
    enriched: EnrichedArticle = enrich_one(parse_article(make_raw(content=seed_text)))
    return enriched


def test_lloyd_austin_is_one_person_key(seed: EnrichedArticle) -> None:
    austin = [e for e in seed.entities if "أوستن" in e.text]
    assert {e.text for e in austin} == {"لويد أوستن", "أوستن"}  # the full name and the surname alone
    assert {(e.type, e.key, e.label) for e in austin} == {("PERSON", "لويد اوستن", "لويد أوستن")}
    assert [t.label for t in seed.tags if t.kind == "entity"].count("لويد أوستن") == 1


def test_korea_never_carries_the_conjunction(seed: EnrichedArticle) -> None:
    korea = [e for e in seed.entities if "كوريا" in e.text]
    assert korea
    assert all(e.text.startswith("كوريا") and e.key.startswith("كوريا") for e in korea)
    body = body_text(seed.article)
    assert any(body[e.start - 1] == "و" for e in korea if e.found_by.endswith(":body"))  # "وكوريا" was written


def test_offsets_point_at_the_written_characters(seed: EnrichedArticle) -> None:
    for entity in seed.entities:
        text = seed.article.title if entity.found_by.endswith(":title") else body_text(seed.article)
        assert text[entity.start : entity.end] == entity.text


def test_labels_are_written_forms_and_keys_group_them(seed: EnrichedArticle) -> None:
    labels = {e.key: e.label for e in seed.entities}
    assert labels["وزاره الدفاع الامريكيه"] == "وزارة الدفاع الأمريكية"
    assert labels["شبه الجزيره الكوريه"] == "شبه الجزيرة الكورية"
    for entity in seed.entities:
        assert matching_key(entity.label) == entity.key
    for tag in seed.tags:
        assert matching_key(tag.label) == tag.key
    for label in [e.label for e in seed.entities] + [t.label for t in seed.tags if t.kind != "topic"]:
        assert not any(mark in label for mark in ("وزاره", "الامريكيه", "اوستن", "الجزيره")), label


def mention(text: str, where: str, start: int, kind: str = "PERSON") -> Entity:
    return Entity(text, kind, start, start + len(text), matching_key(text), text, f"model:{where}")  # type: ignore[arg-type]


def test_a_surname_shared_by_two_names_stays_its_own() -> None:
    body = "التقى جو بايدن مع هنتر بايدن ثم تحدث بايدن."
    found = [mention("جو بايدن", "body", 6), mention("هنتر بايدن", "body", 18), mention("بايدن", "body", 36)]
    entities = resolve(found, {"title": "", "body": body}, default_spellings())
    assert [e.key for e in entities] == ["جو بايدن", "هنتر بايدن", "بايدن"]


def test_an_unmarked_surname_joins_the_full_name() -> None:
    body = "قال جو بايدن إن الاتفاق مهم. وأضاف بايدن أن المحادثات ستستمر."
    entities = resolve([mention("جو بايدن", "body", 4)], {"title": "", "body": body}, default_spellings())
    added = [e for e in entities if e.found_by == "alias:body"]
    assert [(e.text, e.key, body[e.start : e.end]) for e in added] == [("بايدن", "جو بايدن", "بايدن")]


def test_a_short_form_learned_in_one_article_serves_the_next() -> None:
    names = NameDictionary()
    first = "قال جو بايدن إن الاتفاق مهم. وأضاف بايدن أن المحادثات ستستمر."
    found = [mention("جو بايدن", "body", 4), mention("بايدن", "body", 35)]
    names.learn_aliases(resolve(found, {"title": "", "body": first}, default_spellings(), names.known()))
    assert names.drain_learned_aliases() == {"بايدن": Alias("جو بايدن", "جو بايدن")}
    later = "وصل بايدن إلى برلين."
    found = [mention("بايدن", "body", 4), mention("برلين", "body", 14, "LOCATION")]
    entities = resolve(found, {"title": "", "body": later}, default_spellings(), names.known())
    assert [(e.text, e.key, e.type) for e in entities] == [
        ("بايدن", "جو بايدن", "PERSON"),
        ("برلين", "برلين", "LOCATION"),
    ]


def test_a_short_form_seen_with_two_names_becomes_ambiguous() -> None:
    names = NameDictionary()
    names.note_alias("بايدن", "جو بايدن", "جو بايدن")
    names.note_alias("بايدن", "هنتر بايدن", "هنتر بايدن")
    assert names.aliases["بايدن"] == AMBIGUOUS
    names.note_alias("بايدن", "جو بايدن", "جو بايدن")  # stays ambiguous
    assert names.drain_learned_aliases() == {"بايدن": AMBIGUOUS}
    other = NameDictionary()
    other.update_aliases([("بايدن", Alias("جو بايدن", "جو بايدن")), ("بايدن", Alias("هنتر بايدن", "هنتر بايدن"))])
    assert other.aliases["بايدن"] == AMBIGUOUS  # the same outcome from the shared topic's order


def test_a_father_or_family_name_is_not_a_short_form() -> None:
    body = "استقبل عبدالله بن عبدالعزيز الوفد في مطار الملك عبدالعزيز."
    found = [mention("عبدالله بن عبدالعزيز", "body", 7), mention("عبدالعزيز", "body", 48, "LOCATION")]
    entities = resolve(found, {"title": "", "body": body}, default_spellings())
    assert [(e.key, e.type) for e in entities] == [("عبدالله بن عبدالعزيز", "PERSON"), ("عبدالعزيز", "LOCATION")]


def test_a_learned_alias_leaves_places_alone() -> None:
    names = NameDictionary(aliases={"ميلانو": Alias("غريم ميلانو", "غريم ميلانو")})
    body = "وصل غريم إلى ميلانو."
    entities = resolve(
        [mention("ميلانو", "body", 13, "LOCATION")], {"title": "", "body": body}, default_spellings(), names.known()
    )
    assert [(e.key, e.type) for e in entities] == [("ميلانو", "LOCATION")]
