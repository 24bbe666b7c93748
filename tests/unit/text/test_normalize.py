from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from streams.text.normalize import key_tokens, key_with_offsets, matching_key

pytestmark = pytest.mark.unit

# Text that exercises the rules: Arabic, Persian/Urdu letters, presentation forms, digits, controls.
ARABIC_HEAVY = st.text(
    alphabet=st.one_of(
        st.characters(min_codepoint=0x0600, max_codepoint=0x06FF),
        st.characters(min_codepoint=0xFB50, max_codepoint=0xFEFF),
        st.sampled_from(list(" \t\n\u200c\u200d\u200f\u202b\u2066İΣAbc1")),
    )
)
ANY_TEXT = st.one_of(st.text(), ARABIC_HEAVY)


@pytest.mark.parametrize(
    ("variant", "canonical"),
    [
        ("الولایات المتحدة", "الولايات المتحدة"),  # Persian yeh U+06CC
        ("إقرأ أيضاً", "اقرأ ايضا"),  # hamza forms and tanween
        ("مدرسة", "مدرسه"),  # teh marbuta
        ("مستشفى", "مستشفي"),  # alef maksura
        ("الـــعربية", "العربية"),  # tatweel
        ("كتاب\u200c", "کتاب"),  # ZWNJ and keheh
        ("٢٠٢٥ ۱۴۰۴", "2025 1404"),  # Arabic-Indic and Persian digits
        ("ﺍﻟﻌﺮﺑﻴﺔ", "العربية"),  # presentation forms
        ("ا\u0654حمد", "أحمد"),  # decomposed hamza
        ("ٱلله", "الله"),  # alef wasla
        ("Hello  World", "hello world"),
    ],
)
def test_spelling_variants_share_a_key(variant: str, canonical: str) -> None:
    assert matching_key(variant) == matching_key(canonical)


def test_ligatures_are_not_expanded() -> None:
    assert matching_key("ﻻ") == "ﻻ"


def test_key_tokens_drop_punctuation() -> None:
    assert key_tokens("وزارة الدفاع، أوستن.") == ["وزاره", "الدفاع", "اوستن"]


@given(ANY_TEXT)
def test_key_is_idempotent(text: str) -> None:
    assert matching_key(matching_key(text)) == matching_key(text)


@given(ANY_TEXT)
def test_key_is_never_longer_than_its_input(text: str) -> None:
    assert len(matching_key(text)) <= len(text)


@given(ANY_TEXT)
def test_key_offsets_point_into_the_display_text(text: str) -> None:
    key, offsets = key_with_offsets(text)
    assert key == matching_key(text)
    assert len(offsets) == len(key)
    assert offsets == sorted(set(offsets))
    for char, offset in zip(key, offsets, strict=True):
        assert 0 <= offset < len(text)
        if char == " ":
            assert text[offset].isspace()
        else:
            assert matching_key(text[offset]) == char
