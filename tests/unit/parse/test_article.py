from __future__ import annotations

from collections.abc import Callable

import pytest

from streams.errors import PoisonRecordError
from streams.parse.article import parse_article
from streams.records import RawArticle

pytestmark = pytest.mark.unit


def test_seed_article(make_raw: Callable[..., RawArticle], seed_text: str) -> None:
    parsed = parse_article(make_raw(content=seed_text))
    assert parsed.source.name == "صدى البلد"
    assert parsed.title_source == "first_sentence"
    assert parsed.title.startswith("أعلنت وزارة الدفاع الأمريكية")
    assert len(parsed.body) == 6
    assert parsed.body[-1].endswith("والازدهار.")
    assert not any(marker in " ".join(parsed.body) for marker in ("المصدر", "كلمات دلالية", "مقالات مشابهة"))
    assert parsed.page_tags[:2] == ("وزارة الدفاع الأمريكية", "أوستن")
    assert [link.title for link in parsed.related] == [
        "نيويورك تايمز: وفاة أكثر من 10 أطفال في الولايات المتحدة بسبب لقاح كوفيد-19"
    ]
    assert len(parsed.similar) == 10
    assert parsed.language == "ar"
    assert parsed.word_count == sum(len(p.split()) for p in parsed.body)
    assert "read_also_repeated_entry" in parsed.parse_warnings


def test_metadata_title_wins(make_raw: Callable[..., RawArticle]) -> None:
    parsed = parse_article(make_raw(title="  عنوان الخبر  "))
    assert (parsed.title, parsed.title_source) == ("عنوان الخبر", "metadata")


def test_related_headline_keeps_its_link(make_raw: Callable[..., RawArticle]) -> None:
    content = "نص الخبر الأول.\n\nاقرأ أيضا:\nعنوان مرتبط https://example.com/a/1"
    parsed = parse_article(make_raw(content=content))
    assert parsed.related[0].title == "عنوان مرتبط"
    assert parsed.related[0].url == "https://example.com/a/1"


def test_naive_published_date_is_assumed_utc(make_raw: Callable[..., RawArticle]) -> None:
    parsed = parse_article(make_raw(published_at="2015-08-01 08:00:57"))
    assert parsed.published_at is not None
    assert parsed.published_at.utcoffset() is not None
    assert "published_at_naive_assumed_utc" in parsed.parse_warnings


@pytest.mark.parametrize("content", ["", "   \n\n  ", "المصدر: صدى البلد"])
def test_no_body_is_poison(make_raw: Callable[..., RawArticle], content: str) -> None:
    with pytest.raises(PoisonRecordError) as caught:
        parse_article(make_raw(content=content))
    assert caught.value.stage == "parse"


def test_canonical_url_drops_tracking_and_fragment(make_raw: Callable[..., RawArticle]) -> None:
    parsed = parse_article(make_raw(url="HTTPS://www.Example.com/a/b?utm_source=rss&id=5#top"))
    assert parsed.url == "HTTPS://www.Example.com/a/b?utm_source=rss&id=5#top"
    assert parsed.canonical_url == "https://www.example.com/a/b?id=5"
