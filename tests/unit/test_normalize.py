from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from streams.normalize import key_tokens, matching_key

pytestmark = pytest.mark.unit


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
        ("\ufef7", "لا"),  # presentation form: lam-alef with hamza above
        ("Hello  World", "hello world"),
    ],
)
def test_spelling_variants_share_a_key(variant: str, canonical: str) -> None:
    assert matching_key(variant) == matching_key(canonical)


def test_key_tokens_drop_punctuation() -> None:
    assert key_tokens("وزارة الدفاع، أوستن.") == ["وزاره", "الدفاع", "اوستن"]


@given(st.text())
def test_key_is_idempotent(text: str) -> None:
    assert matching_key(matching_key(text)) == matching_key(text)
