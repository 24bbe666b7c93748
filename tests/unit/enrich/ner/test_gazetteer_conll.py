from __future__ import annotations

import pytest

from streams.enrich.ner.conll import score, spans, unified
from streams.enrich.ner.gazetteer import default_gazetteer

pytestmark = pytest.mark.unit


def test_gazetteer_matches_clitic_forms_on_word_boundaries() -> None:
    gazetteer = default_gazetteer()
    matches = gazetteer.find("زار الوزير بالرياض ثم باريسيه")
    assert [(m.kind, m.key) for m in matches] == [("TITLE", "الوزير"), ("LOCATION", "الرياض")]


def test_bio_spans_and_exact_span_scores() -> None:
    assert spans(["B-PERS", "I-PERS", "O", "I-LOC", "B-ORG", "B-ORG"]) == {
        (0, 2, "PERS"),
        (3, 4, "LOC"),
        (4, 5, "ORG"),
        (5, 6, "ORG"),
    }
    result = score([["B-PERS", "I-PERS", "O", "B-LOC"]], [["B-PERS", "O", "O", "B-LOC"]])
    assert (result["LOC"].f1, result["PERS"].f1) == (1.0, 0.0)
    assert result["micro"].precision == 0.5


def test_per_is_pers_in_every_corpus() -> None:
    assert unified([(["Tony", "Blair", "of", "Labour"], ["B-PER", "I-PER", "O", "B-ORG"])]) == [
        (["Tony", "Blair", "of", "Labour"], ["B-PERS", "I-PERS", "O", "B-ORG"])
    ]
    assert spans(unified([(["x"], ["B-PER"])])[0][1]) == {(0, 1, "PERS")}
