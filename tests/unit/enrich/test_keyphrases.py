from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from streams.enrich.keyphrases import (
    LEAD_CHARS,
    MAX_KEYPHRASES,
    MIN_WORDS,
    Phrase,
    extract,
    keyphrases,
    lead,
    stop_words,
)
from streams.parse.article import parse_article
from streams.records import EnrichedArticle, RawArticle
from streams.text.normalize import matching_key

pytestmark = pytest.mark.unit


@dataclass(frozen=True)
class Span:
    """An entity as keyphrases reads it (start, end, found_by) and nothing more."""

    start: int
    end: int
    found_by: str


def span_of(text: str, mention: str, found_by: str) -> Span:
    start = text.index(mention)
    return Span(start, start + len(mention), found_by)


def cuts(phrase: Phrase, entity: Span) -> bool:
    overlaps = phrase.start < entity.end and entity.start < phrase.end
    return overlaps and not (phrase.start <= entity.start and entity.end <= phrase.end)


def test_spelling_variants_are_one_keyphrase() -> None:
    title = "أزمة الطاقة في أوروبا"
    body = ["أزمة الطاقه في أوروبا تتفاقم مع الشتاء.", "وتبحث أوروبا عن حلول لأزمة الطاقة قبل الشتاء."]
    tags = keyphrases(title, body, "ar")
    keys = [t.key for t in tags]
    assert len(keys) == len(set(keys))
    assert keys[0] == "ازمه الطاقه"  # three times, "لأزمة" included, and in the title
    for tag in tags:
        assert tag.kind == "keyphrase"
        assert matching_key(tag.label) == tag.key  # the label is the phrase as written
        assert 0 < tag.score <= 1


def test_no_phrase_starts_or_ends_with_a_stop_word() -> None:
    body = ["قال وزير الخارجية إن المحادثات النووية مع إيران ستستأنف الأسبوع المقبل في جنيف."]
    tags = keyphrases("استئناف المحادثات النووية مع إيران", body, "ar")
    stops = stop_words("ar")
    assert tags[0].label == "المحادثات النووية"
    assert len(tags) <= MAX_KEYPHRASES
    for tag in tags:
        words = tag.key.split()
        assert words[0] not in stops, tag
        assert words[-1] not in stops, tag


def test_phrases_never_span_a_line_break_or_punctuation() -> None:
    title = "Oil prices\nrise"
    phrases = extract(title, ["Oil prices rose; prices fell later, oil traders said."], "en")
    assert phrases
    for phrase in phrases:
        assert "\n" not in phrase.label
        assert ";" not in phrase.label
        assert "," not in phrase.label


def test_only_the_title_and_lead_are_read() -> None:
    late = "سوق الأسهم السعودية " * 40
    phrases = extract("خبر قصير", ["كلمة " * (LEAD_CHARS // 5), late], "ar")
    assert all(p.end <= LEAD_CHARS for p in phrases if p.part == "body")
    assert "سوق الاسهم السعوديه" not in [p.key for p in phrases]


def test_unknown_language_or_none_gives_nothing() -> None:
    assert keyphrases("عنوان الخبر", ["نص الخبر الكامل"], None) == []
    assert keyphrases("Titre", ["Texte"], "xx") == []


def test_arabic_phrase_stops_at_a_word_without_the_article() -> None:
    body = ["ناقش مع نظيره الكوري الجنوبي شين وونسيك الأولويات الدفاعية."]
    labels = [p.label for p in extract("نظيره الكوري الجنوبي شين وونسيك", body, "ar")]
    assert "نظيره الكوري الجنوبي" in labels
    assert not [label for label in labels if "شين" in label or "وونسيك" in label]


def test_a_phrase_never_cuts_an_entity_but_may_hold_one() -> None:
    title = "مجلس التعاون الخليجي يبحث الأمن"
    body = ["اجتمع مجلس التعاون الخليجي أمس.", "وقال مجلس التعاون الخليجي إن الأمن أولوية."]
    whole = "\n\n".join(body)
    gulf = [span_of(title, "التعاون الخليجي", "model:title"), span_of(whole, "التعاون الخليجي", "model:body")]
    phrases = extract(title, body, "ar", gulf)
    assert "مجلس التعاون الخليجي" in [p.label for p in phrases]
    assert "مجلس التعاون" not in [p.label for p in phrases]  # the key word before the name, cut from it


def test_a_phrase_that_is_an_entity_is_left_to_the_entity_tags() -> None:
    title = "وزارة الدفاع الأمريكية تعلن"
    body = ["أعلنت وزارة الدفاع الأمريكية اليوم.", "وزارة الدفاع الأمريكية قالت إن التدريبات مستمرة."]
    assert "وزارة الدفاع الأمريكية" in [p.label for p in extract(title, body, "ar")]
    ministry = [span_of(title, "وزارة الدفاع الأمريكية", "gazetteer:title")]
    labels = [p.label for p in extract(title, body, "ar", ministry)]
    assert not [label for label in labels if "الدفاع" in label]  # neither the name nor a piece of it


def test_a_leading_conjunction_or_preposition_is_not_part_of_the_label() -> None:
    body = [
        "تعاون بين الولايات المتحدة وكوريا الجنوبية.",
        "وتقول كوريا الجنوبية إن الجزيرة الكورية آمنة، وللجزيرة الكورية تاريخ.",
    ]
    phrases = {p.label: p for p in extract("زيارة", body, "ar")}
    assert "كوريا الجنوبية" in phrases
    assert "وكوريا الجنوبية" not in phrases
    assert "الجزيرة الكورية" in phrases  # said twice: "وللجزيرة" counts, so it is kept
    assert "وزارة الدفاع" in [
        p.label for p in extract("وزارة الدفاع", ["وزارة الدفاع"], "ar")
    ]  # و is a letter of وزارة


def test_seed_has_no_name_fragments_and_no_overlaps(
    make_raw: Callable[..., RawArticle], seed_text: str, enrich_one: Callable[..., EnrichedArticle]
) -> None:
    article = parse_article(make_raw(content=seed_text))
    entities = enrich_one(article).entities
    phrases = extract(article.title, article.body, article.language, entities)
    labels = [p.label for p in phrases]
    assert labels
    assert "الكوري الجنوبي شين" not in labels
    assert "الجنوبي شين وونسيك" not in labels
    assert not [label for label in labels if "شين" in label]
    assert "الأولويات الدفاعية والأمنية المشتركة" in labels
    for phrase in phrases:
        part = f":{phrase.part}"
        assert not [e for e in entities if e.found_by.endswith(part) and cuts(phrase, Span(e.start, e.end, e.found_by))]
    assert_no_overlap(phrases)


def assert_no_overlap(phrases: list[Phrase]) -> None:
    for index, phrase in enumerate(phrases):
        for other in phrases[index + 1 :]:
            assert phrase.part != other.part or phrase.end <= other.start or other.end <= phrase.start
            assert f" {phrase.key} " not in f" {other.key} "
            assert f" {other.key} " not in f" {phrase.key} "


WORDS = ["الطاقة", "الأمن", "الدولي", "والأمنية", "مجلس", "وزارة", "وكوريا", "كوريا", "بالتعاون", "شين", "يطالب"]
WORDS += ["في", "مع", "قال", "،", ".", "\n", "وزير", "الملك", "للدفاع", "أزمة"]


@st.composite
def articles(draw: st.DrawFn) -> tuple[str, list[str], list[Span]]:
    title = " ".join(draw(st.lists(st.sampled_from(WORDS), max_size=12)))
    paragraphs = [" ".join(p) for p in draw(st.lists(st.lists(st.sampled_from(WORDS), max_size=40), max_size=4))]
    entities: list[Span] = []
    for part, text in (("title", title), ("body", "\n\n".join(paragraphs))):
        words = word_spans(text)
        for first in draw(st.lists(st.integers(0, max(len(words) - 1, 0)), max_size=3, unique=True)):
            if words:
                last = min(first + draw(st.integers(0, 2)), len(words) - 1)
                entities.append(Span(words[first][0], words[last][1], f"model:{part}"))
    return title, paragraphs, entities


def word_spans(text: str) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    start: int | None = None
    for index, char in enumerate(f"{text} "):
        if char.isalpha() and start is None:
            start = index
        elif not char.isalpha() and start is not None:
            spans.append((start, index))
            start = None
    return spans


@settings(max_examples=200, deadline=None)
@given(articles())
def test_kept_phrases_are_whole_disjoint_and_cut_no_entity(article: tuple[str, list[str], list[Span]]) -> None:
    title, paragraphs, entities = article
    phrases = extract(title, paragraphs, "ar", entities)
    texts = {"title": title, "body": "\n\n".join(paragraphs)}
    assert len(phrases) <= MAX_KEYPHRASES
    for phrase in phrases:
        assert texts[phrase.part][phrase.start : phrase.end] == phrase.label
        assert MIN_WORDS <= len(phrase.key.split()) <= 4
        assert matching_key(phrase.label) == phrase.key
        assert not [e for e in entities if e.found_by == f"model:{phrase.part}" and cuts(phrase, e)]
        named = {matching_key(texts[e.found_by.split(":")[1]][e.start : e.end]) for e in entities}
        assert phrase.key not in named
    assert_no_overlap(phrases)


def test_lead_ends_on_a_whole_word() -> None:
    assert lead("قصير جدا") == "قصير جدا"
    cut = lead("كلمة " * 100)
    assert len(cut) <= LEAD_CHARS
    assert cut.split(" ")[-2] == "كلمة"
    assert lead("ا" * (LEAD_CHARS - 2) + " طويلة") == "ا" * (LEAD_CHARS - 2) + " "


def test_a_phrase_opening_with_lil_is_not_cut_to_a_false_word() -> None:
    body = ["معرض للطاقة الذرية والمتجددة في الرياض.", "كلمة لطاقة أخرى، وللطاقة الذرية والمتجددة مستقبل."]
    labels = [p.label for p in extract("معرض", body, "ar")]
    assert "لطاقة الذرية والمتجددة" not in labels
    assert "الذرية والمتجددة" in labels
