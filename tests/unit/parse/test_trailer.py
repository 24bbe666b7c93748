from __future__ import annotations

import pytest

from streams.parse.trailer import split_trailer

pytestmark = pytest.mark.unit

BODY = "أعلنت الوزارة اليوم عن خطة جديدة للتعاون.\n\nوقال المتحدث إن الخطة تبدأ الشهر المقبل."


def test_seed_trailer_sections(seed_text: str) -> None:
    body, trailer = split_trailer(seed_text)
    assert trailer.source == "صدى البلد"
    assert trailer.tags_text == (
        "وزارة الدفاع الأمريكية أوستن شبه الجزيرة الكورية الولايات المتحدة كوريا الجنوبية الولایات المتحدة",
    )
    assert trailer.read_also == ("نيويورك تايمز: وفاة أكثر من 10 أطفال في الولايات المتحدة بسبب لقاح كوفيد-19",)
    assert "read_also_repeated_entry" in trailer.warnings
    assert len(trailer.similar) == 10
    assert trailer.similar[0] == "الدبيبة يناقش مع الوفد الحكومي نتائج زيارته الرسمية إلى أمريكا"
    assert not any("المصدر" in line for line in body)
    assert [line for line in body if line.strip()][-1].endswith("والازدهار.")


@pytest.mark.parametrize(
    ("trailer_text", "source", "tags", "read_also", "similar"),
    [
        pytest.param(
            "Source: Reuters\nTags: economy, oil\nRead also:\n- Oil prices rise\nRelated articles\n* Gold falls",
            "Reuters",
            ("economy, oil",),
            ("Oil prices rise",),
            ("Gold falls",),
            id="english-markers-and-bullets",
        ),
        pytest.param(
            "المصدر: وكالات\nالكلمات المفتاحية: اقتصاد، نفط\nاقرأ أيضا: أسعار النفط ترتفع\n"
            "مواضيع ذات صلة\n– الذهب يتراجع",
            "وكالات",
            ("اقتصاد، نفط",),
            ("أسعار النفط ترتفع",),
            ("الذهب يتراجع",),
            id="arabic-variants-no-blank-lines",
        ),
        pytest.param(
            "وسوم:\nاقتصاد\nنفط\n\nتابعونا على فيسبوك\nشارك الخبر",
            None,
            ("اقتصاد", "نفط"),
            (),
            (),
            id="tags-on-lines-then-social",
        ),
        pytest.param(
            "مقالات مشابهة\n  • خبر أول\n  • خبر ثان\n  • خبر أول",
            None,
            (),
            (),
            ("خبر أول", "خبر ثان"),
            id="similar-only-with-repeat",
        ),
    ],
)
def test_trailer_variants(
    trailer_text: str, source: str | None, tags: tuple[str, ...], read_also: tuple[str, ...], similar: tuple[str, ...]
) -> None:
    body, trailer = split_trailer(f"{BODY}\n\n{trailer_text}")
    assert (trailer.source, trailer.tags_text, trailer.read_also, trailer.similar) == (source, tags, read_also, similar)
    assert [line for line in body if line.strip()] == [line for line in BODY.splitlines() if line.strip()]


@pytest.mark.parametrize(
    "text",
    [
        pytest.param(BODY + "\n\nوقال المصدر: إن المفاوضات مستمرة.", id="mentions-source-mid-sentence"),
        pytest.param(
            "المصدر: وكالة الأنباء\n\n" + "وتابع المسؤول حديثه مؤكدا أن الاتفاق سيعود بالفائدة على الجميع " * 8,
            id="source-line-followed-by-long-body",
        ),
        pytest.param(BODY + "\n\nشاركت الوزارة في المؤتمر.", id="word-starting-like-share"),
    ],
)
def test_body_that_mentions_markers_has_no_trailer(text: str) -> None:
    body, trailer = split_trailer(text)
    assert trailer.source is None
    assert not trailer.read_also
    assert not trailer.similar
    assert body == text.splitlines()
