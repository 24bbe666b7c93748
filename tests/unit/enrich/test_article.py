from __future__ import annotations

from collections.abc import Callable

import pytest

from streams.enrich.article import dedupe_tags, enrich_article
from streams.parse.article import parse_article
from streams.records import RawArticle

pytestmark = pytest.mark.unit


def test_tags_deduplicated_across_spellings() -> None:
    tags, keys = dedupe_tags(("الولايات المتحدة", "كوريا", "الولایات المتحدة", "الولايات  المتحدة "))
    assert tags == ("الولايات المتحدة", "كوريا")
    assert keys == ("الولايات المتحده", "كوريا")


def test_seed_tags(make_raw: Callable[..., RawArticle], seed_text: str) -> None:
    enriched = enrich_article(parse_article(make_raw(content=seed_text)))
    assert enriched.tags == (
        "وزارة الدفاع الأمريكية",
        "أوستن",
        "شبه الجزيرة الكورية",
        "الولايات المتحدة",
        "كوريا الجنوبية",
    )
    assert len(enriched.tag_keys) == len(enriched.tags)
