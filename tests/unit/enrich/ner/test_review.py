"""The second look at the tagger's spans: edges, family names, lone common words, agencies."""

from __future__ import annotations

import pytest

from streams.enrich.ner.gazetteer import default_gazetteer
from streams.enrich.ner.review import Span, reviewed


@pytest.mark.parametrize(
    ("sentence", "proposed", "kept"),
    [
        # a verb and a form of address before the name are not part of it
        ("احتفل الزميل سلطان بن عبدالله بزفافه", Span(0, 5, "PERS"), [("سلطان بن عبدالله", "PERS")]),
        # an adverb after the name
        ("وأكد أوستن مجدداً التزام", Span(1, 3, "PERS"), [("أوستن", "PERS")]),
        # a title from the gazetteer, with a proclitic
        ("وقال الرئيس باراك أوباما", Span(1, 4, "PERS"), [("باراك أوباما", "PERS")]),
        # آل takes the family name after it
        ("الملك سلمان بن عبدالعزيز آل سعود", Span(1, 5, "PERS"), [("سلمان بن عبدالعزيز آل سعود", "PERS")]),
        # an attribution line is an organisation, never a person
        ("وذكرت فرانس برس أن", Span(1, 3, "PERS"), [("فرانس برس", "ORG")]),
        # nothing of three letters is left: no name
        ("قال وي إن", Span(1, 2, "PERS"), []),
        # a common word alone, with or without its proclitic
        ("أصيب بفيروس كورونا", Span(1, 2, "PERS"), []),
        # a dual head takes both coordinated adjectives; two coordinated names stay two
        ("في المحيطين الهندي والهادئ .", Span(1, 3, "LOC"), [("المحيطين الهندي والهادئ", "LOC")]),
        ("بين الولايات المتحدة والصين .", Span(1, 3, "LOC"), [("الولايات المتحدة", "LOC")]),
        # a name stays as it is
        ("زار الأمير محمد بن سلمان جدة", Span(2, 5, "PERS"), [("محمد بن سلمان", "PERS")]),
    ],
)
def test_review(sentence: str, proposed: Span, kept: list[tuple[str, str]]) -> None:
    words = sentence.split()
    spans = list(reviewed(words, [proposed], "ar", default_gazetteer()))
    assert [(" ".join(words[s.start : s.end]), s.kind) for s in spans] == kept
