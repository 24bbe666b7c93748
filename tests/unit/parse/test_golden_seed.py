"""The seed article, every parsed field asserted."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import pytest

from streams.parse.article import parse_article
from streams.records import Link, Outlet, RawArticle
from tests.conftest import SEED_PAGE_TAGS

pytestmark = pytest.mark.unit

FETCHED = datetime(2025, 11, 27, 9, 15, tzinfo=UTC)  # a Thursday: "اليوم الأربعاء" is the day before


def test_every_field_of_the_seed(make_raw: Callable[..., RawArticle], seed_text: str) -> None:
    parsed = parse_article(make_raw(id="seed", content=seed_text, fetched_at=FETCHED, origin="seed.txt"))
    assert parsed.id == "seed"
    assert parsed.url is None
    assert parsed.canonical_url is None
    assert parsed.title == (
        "أعلنت وزارة الدفاع الأمريكية، أن وزير الدفاع لويد أوستن ناقش مع نظيره الكوري الجنوبي شين وونسيك، "
        "الأولويات الدفاعية والأمنية المشتركة…"
    )
    assert parsed.title_source == "first_sentence"
    assert parsed.lead == parsed.body[0]
    assert parsed.body[0].startswith("أعلنت وزارة الدفاع الأمريكية")
    assert parsed.body[1].startswith("وأوضحت الوزارة في بيان صادر عنها اليوم الأربعاء")
    assert parsed.body[-1].startswith("وتأتي الدعوة بين الزعيمين")
    assert len(parsed.body) == 6
    assert parsed.source == Outlet(name="صدى البلد", domain=None)
    assert parsed.published_at == datetime(2025, 11, 26, tzinfo=UTC)
    assert parsed.fetched_at == FETCHED
    assert parsed.language == "ar"
    assert parsed.authors == ()
    assert parsed.page_tags == SEED_PAGE_TAGS
    assert parsed.related == (Link("نيويورك تايمز: وفاة أكثر من 10 أطفال في الولايات المتحدة بسبب لقاح كوفيد-19"),)
    assert parsed.similar[0] == "الدبيبة يناقش مع الوفد الحكومي نتائج زيارته الرسمية إلى أمريكا"
    assert parsed.similar[-1] == "كوريا الجنوبية واليابان تدرسان تقديم ملف مشترك لاستضافة كأس آسيا 2035"
    assert len(parsed.similar) == 10
    assert parsed.word_count == 138
    assert set(parsed.parse_warnings) == {
        "read_also_repeated_entry",
        "title_from_first_sentence",
        "tags_segmented_by_article_text",
        "published_at_from_body_weekday",
    }
