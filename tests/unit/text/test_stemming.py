from __future__ import annotations

import pytest

from streams.text.stemming import arabic_light_stem, stem, stem_text

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    "forms",
    [
        pytest.param(("الولايات", "للولايات", "بالولايات", "والولايات", "الولایات"), id="clitics-and-yeh"),
        pytest.param(("الانتخابات", "بالانتخابات", "انتخابات", "الانتخابية"), id="plural-and-adjective"),
        pytest.param(("الرئيس", "للرئيس", "رئيس"), id="lam-lam"),
        pytest.param(("elections", "election", "Elections"), id="english"),
    ],
)
def test_forms_of_one_word_share_a_stem(forms: tuple[str, ...]) -> None:
    assert len({stem_text(form) for form in forms}) == 1


def test_short_words_keep_their_letters() -> None:
    assert arabic_light_stem("ال") == "ال"
    assert arabic_light_stem("ولد") == "ولد"  # و is stripped only when three letters remain
    assert arabic_light_stem("ولده") == "لد"


def test_other_tokens_are_kept() -> None:
    assert stem("2015") == "2015"
    assert stem_text("Оксана 2015") == "оксана 2015"
