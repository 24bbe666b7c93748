from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone

import orjson
import pytest

from streams.parse.article import parse_article
from streams.parse.dates import date_from_body, parse_date
from streams.parse.language import detect_language
from streams.records import RawArticle
from tests.conftest import BBC, SAUDI_SAMPLE

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(
            "2015-08-01T08:00:57+03:00",
            datetime(2015, 8, 1, 8, 0, 57, tzinfo=timezone(timedelta(hours=3))),
            id="iso-with-offset",
        ),
        pytest.param(
            "Tue, 10 Jun 2003 04:00:00 +0300",
            datetime(2003, 6, 10, 4, tzinfo=timezone(timedelta(hours=3))),
            id="rfc822",
        ),
        pytest.param("الأربعاء 26 نوفمبر 2025", datetime(2025, 11, 26, tzinfo=UTC), id="arabic-weekday-and-month"),
        pytest.param("1 أغسطس 2015 10:30", datetime(2015, 8, 1, 10, 30, tzinfo=UTC), id="arabic-month"),
        pytest.param("15 يناير 2024", datetime(2024, 1, 15, tzinfo=UTC), id="arabic-january"),
    ],
)
def test_dates_keep_their_zone(text: str, expected: datetime) -> None:
    parsed, _warnings = parse_date(text)
    assert parsed == expected
    assert parsed is not None
    assert parsed.utcoffset() == expected.utcoffset()


def test_unparseable_date_is_a_warning_not_an_error() -> None:
    assert parse_date("not a date at all") == (None, ["published_at_unparsed"])


@pytest.mark.parametrize(
    ("lead", "fetched", "expected"),
    [
        pytest.param(
            "وأوضحت الوزارة في بيان اليوم الأربعاء، أن",
            datetime(2025, 11, 26, 20, tzinfo=UTC),
            datetime(2025, 11, 26, tzinfo=UTC),
            id="today-same-day",
        ),
        pytest.param(
            "قال الوزير اليوم الأربعاء إن",
            datetime(2025, 11, 28, 1, tzinfo=UTC),
            datetime(2025, 11, 26, tzinfo=UTC),
            id="today-fetched-later",
        ),
        pytest.param(
            "وأعلن أمس الخميس أن",
            datetime(2025, 11, 28, 9, tzinfo=UTC),
            datetime(2025, 11, 27, tzinfo=UTC),
            id="yesterday",
        ),
    ],
)
def test_relative_weekday_against_fetch_time(lead: str, fetched: datetime, expected: datetime) -> None:
    assert date_from_body([lead], fetched) == expected


def test_no_relative_date() -> None:
    assert date_from_body(["اجتمع الوزير مع نظيره في العاصمة"], datetime(2025, 1, 1, tzinfo=UTC)) is None


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("fa", "وزیر امور خارجه ایران امروز در سفری رسمی به پکن با همتای چینی خود دیدار و گفتگو کرد."),
        ("ur", "پاکستان کے وزیر اعظم نے آج اسلام آباد میں ایک اہم اجلاس کی صدارت کی اور ملکی معیشت پر بات چیت کی۔"),
        ("ar", "أعلنت وزارة الدفاع الأمريكية أن وزير الدفاع ناقش مع نظيره الكوري الجنوبي الأولويات الدفاعية."),
        ("he", "ראש הממשלה נפגש היום עם שר החוץ האמריקני בירושלים כדי לדון בהסכם החדש."),
        ("fr", "Le président de la République a annoncé mardi une série de mesures pour soutenir l'économie."),
        ("de", "Die Bundesregierung hat am Dienstag ein neues Gesetz zur Förderung erneuerbarer Energien beschlossen."),
        (
            "es",
            "El Gobierno anunció el martes un nuevo paquete de medidas económicas para las familias.",
        ),
        ("en", "The prime minister met the foreign secretary on Tuesday to discuss the new trade agreement."),
    ],
)
def test_languages_told_apart(language: str, text: str) -> None:
    assert detect_language(text) == language


def test_too_little_text_is_unknown() -> None:
    assert detect_language("OK 12") is None


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("خبر " * 60, id="one-arabic-word-repeated"),
        pytest.param("کتاب کتاب کتاب مدرسه " * 30, id="two-words-repeated"),
        pytest.param("ABC-123 XYZ-999 " * 20, id="codes"),
    ],
)
def test_degenerate_text_is_not_given_a_language(text: str) -> None:
    assert detect_language(text) is None


def test_an_article_no_one_can_tell_is_labelled_undetermined(make_raw: Callable[..., RawArticle]) -> None:
    article = parse_article(make_raw(content="خبر " * 60, language=None))
    assert article.language == "und"
    declared = parse_article(make_raw(content="خبر " * 60, language="ar"))
    assert declared.language == "ar"  # the feed's word counts when the text cannot tell


@pytest.mark.parametrize(
    ("path", "text_field", "language"),
    [pytest.param(SAUDI_SAMPLE, "content", "ar", id="saudinewsnet"), pytest.param(BBC, "text", "en", id="bbc")],
)
def test_language_accuracy_on_the_shared_corpora(path: object, text_field: str, language: str) -> None:
    with open(str(path), "rb") as handle:
        texts = [orjson.loads(line)[text_field] for line in handle]
    labelled = [detect_language(text) for text in texts if len(text) > 200]
    accuracy = sum(label == language for label in labelled) / len(labelled)
    assert accuracy >= 0.995, accuracy
