from __future__ import annotations

import pytest

from streams.enrich.keyphrases import MAX_KEYPHRASES, keyphrases, lead, stop_words
from streams.normalize import matching_key

pytestmark = pytest.mark.unit


def test_spelling_variants_are_one_keyphrase() -> None:
    title = "أزمة الطاقة في أوروبا"
    body = ["أزمة الطاقه في أوروبا تتفاقم مع الشتاء.", "وتبحث أوروبا عن حلول لأزمة الطاقة قبل الشتاء."]
    tags = keyphrases(title, body, "ar")
    canonicals = [t.key for t in tags]
    assert len(canonicals) == len(set(canonicals))
    assert "ازمه الطاقه" in " | ".join(canonicals)
    for tag in tags:
        assert tag.kind == "keyphrase"
        assert matching_key(tag.label) == tag.key  # the label is the phrase as written
        assert 0 < tag.score <= 1


def test_no_phrase_starts_or_ends_with_a_stop_word() -> None:
    body = ["قال وزير الخارجية إن المحادثات النووية مع إيران ستستأنف الأسبوع المقبل في جنيف."]
    tags = keyphrases("استئناف المحادثات النووية مع إيران", body, "ar")
    stops = stop_words("ar")
    assert tags
    assert len(tags) <= MAX_KEYPHRASES
    for tag in tags:
        words = tag.key.split()
        assert words[0] not in stops, tag
        assert words[-1] not in stops, tag


def test_phrases_never_span_title_and_body() -> None:
    text = lead("Oil prices", ["Prices rose sharply on Monday."])
    assert text == "Oil prices.\nPrices rose sharply on Monday."
    for tag in keyphrases("Oil prices", ["Prices rose sharply on Monday."], "en"):
        assert "\n" not in tag.label


def test_lead_is_bounded() -> None:
    text = lead("t", ["x" * 5000, "y" * 10])
    assert "y" not in text
    assert len(text) < 500
