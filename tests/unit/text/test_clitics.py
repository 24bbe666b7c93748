"""The proclitic vocabulary every stage builds on."""

from __future__ import annotations

import pytest

from streams.enrich.ner.gazetteer import clitic_forms
from streams.text.clitics import ALL, ELIDED_ARTICLE, PARTICLES, WITH_ARTICLE, longest_first


def test_particles_are_a_conjunction_a_preposition_or_both() -> None:
    assert set(PARTICLES) == {"و", "ف", "ب", "ل", "ك", "وب", "ول", "وك", "فب", "فل", "فك"}


def test_the_article_after_lam_loses_its_alef() -> None:
    assert ELIDED_ARTICLE == ("لل", "ولل", "فلل")
    assert "لال" not in WITH_ARTICLE
    assert {"بال", "وبال"} <= set(WITH_ARTICLE)


def test_longest_first_lets_a_first_match_scan_take_the_whole_sequence() -> None:
    ordered = longest_first(ALL)
    assert len(ordered) == len(set(ALL))
    word = "وبالرياض"
    assert next(p for p in ordered if word.startswith(p)) == "وبال"


@pytest.mark.parametrize(
    ("name", "written"),
    [
        ("الولايات", "للولايات"),
        ("الولايات", "وللولايات"),
        ("الرياض", "بالرياض"),
        ("كوريا", "وكوريا"),
        ("كوريا", "كوريا"),
    ],
)
def test_the_gazetteer_enters_a_name_with_every_proclitic_form(name: str, written: str) -> None:
    assert written in set(clitic_forms(name))
