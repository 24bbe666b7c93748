from __future__ import annotations

import pytest

from streams.parse.tags import segment_by_reference, split_tag_lines
from streams.text.normalize import key_tokens
from tests.conftest import SEED_PAGE_TAGS

pytestmark = pytest.mark.unit


def test_seed_tag_line_is_segmented_by_the_body(seed_text: str) -> None:
    line = "وزارة الدفاع الأمريكية أوستن شبه الجزيرة الكورية الولايات المتحدة كوريا الجنوبية الولایات المتحدة"
    reference = " ".join(key_tokens(seed_text.split("المصدر:")[0]))
    assert segment_by_reference(line, reference) == list(SEED_PAGE_TAGS)


def test_clitic_on_first_word_still_matches() -> None:
    reference = " ".join(key_tokens("التقى الوزير بالأمم المتحدة في نيويورك"))
    assert segment_by_reference("الأمم المتحدة نيويورك", reference) == ["الأمم المتحدة", "نيويورك"]


@pytest.mark.parametrize(
    ("texts", "expected"),
    [
        pytest.param(["اقتصاد، نفط، الخليج"], ["اقتصاد", "نفط", "الخليج"], id="arabic-comma"),
        pytest.param(["economy, oil | #gulf"], ["economy", "oil", "gulf"], id="mixed-separators"),
        pytest.param(["اقتصاد", "نفط"], ["اقتصاد", "نفط"], id="one-per-line"),
        pytest.param([], [], id="none"),
    ],
)
def test_separated_tags(texts: list[str], expected: list[str]) -> None:
    tags, warnings = split_tag_lines(texts, ["نص الخبر"])
    assert tags == expected
    assert warnings == []
