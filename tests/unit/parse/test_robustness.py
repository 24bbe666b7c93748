"""Hostile and broken inputs: clear dead letters or cleaned text, never a crash."""

from __future__ import annotations

from collections.abc import Callable
from typing import get_args

import orjson
import pytest

from streams.enrich.enricher import EnrichmentContext
from streams.errors import DeadLetterReason
from streams.kafka.codec import encode
from streams.parse.article import parse_article
from streams.pipeline.process import process_value
from streams.records import DeadLetter, EnrichedArticle, KafkaPosition, RawArticle
from streams.schemas import TOPIC_SCHEMAS, load_json

pytestmark = pytest.mark.unit


def test_control_and_bidi_override_characters_are_removed(make_raw: Callable[..., RawArticle]) -> None:
    content = "خبر\u202e مقلوب\x00 مع\x1b[31m ألوان\r\nسطر ثان\u2066معزول\u2069."
    parsed = parse_article(make_raw(content=content))
    assert parsed.body == ("خبر مقلوب مع[31m ألوان", "سطر ثانمعزول.")
    assert "control_characters_removed" in parsed.parse_warnings


def test_zero_width_joiners_needed_for_display_stay(make_raw: Callable[..., RawArticle]) -> None:
    parsed = parse_article(make_raw(content="می\u200cخواهم به خانه بروم و کتاب بخوانم امروز صبح زود."))
    assert "\u200c" in parsed.body[0]
    assert "control_characters_removed" not in parsed.parse_warnings


def test_oversized_payload_is_a_dead_letter(make_raw: Callable[..., RawArticle], context: EnrichmentContext) -> None:
    value = encode(make_raw(content="كلمة " * 50_000))
    outcome = process_value(value, KafkaPosition(), context, b"big", max_bytes=100_000)
    assert isinstance(outcome, DeadLetter)
    assert (outcome.stage, outcome.reason) == ("decode", "too_large")
    assert f"{len(value):,} bytes, over the limit of 100,000" in outcome.error_message
    assert outcome.extra == {"payload_truncated": True, "payload_bytes": 256 * 1024}
    assert len(encode(outcome)) < 400_000


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        pytest.param({"content": ""}, "no body text", id="empty"),
        pytest.param({"content": "\n \u200f \n"}, "no body text", id="only-marks"),
        pytest.param(
            {"format": "html", "content": "<html><body><script>x()</script></body></html>"},
            "no body text",
            id="html-without-main-text",
        ),
        pytest.param({"format": "feed", "content": "<p></p>"}, "no body text", id="empty-feed-entry"),
    ],
)
def test_empty_bodies_are_parse_dead_letters(
    make_raw: Callable[..., RawArticle], fields: dict[str, str], message: str, context: EnrichmentContext
) -> None:
    outcome = process_value(encode(make_raw(**fields)), KafkaPosition(), context)
    assert isinstance(outcome, DeadLetter)
    assert (outcome.stage, outcome.reason) == ("parse", "no_content")
    assert message in outcome.error_message


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        pytest.param(
            orjson.dumps(
                {
                    "schema_version": 1,
                    "id": "x",
                    "format": "text",
                    "content": ["a"],
                    "fetched_at": "2025-01-01T00:00:00Z",
                    "origin": "o",
                }
            ),
            "schema",
            id="content-not-string",
        ),
        pytest.param(
            orjson.dumps(
                {
                    "schema_version": 2,
                    "id": "x",
                    "format": "text",
                    "content": "a",
                    "fetched_at": "2025-01-01T00:00:00Z",
                    "origin": "o",
                }
            ),
            "schema",
            id="future-version",
        ),
        pytest.param(
            orjson.dumps(
                {
                    "schema_version": 1,
                    "id": "x",
                    "format": "pdf",
                    "content": "a",
                    "fetched_at": "2025-01-01T00:00:00Z",
                    "origin": "o",
                }
            ),
            "schema",
            id="unknown-format",
        ),
        pytest.param(
            orjson.dumps(
                {
                    "schema_version": 1,
                    "id": "x",
                    "format": "text",
                    "content": "a",
                    "fetched_at": "yesterday",
                    "origin": "o",
                }
            ),
            "schema",
            id="bad-timestamp",
        ),
        pytest.param(b"[" * 10_000 + b"]" * 10_000, "bad_json", id="deep-nesting"),
        pytest.param(b"\xff\xfe{}", "bad_encoding", id="not-utf8"),
        pytest.param(b"[1, 2]", "bad_json", id="not-an-object"),
    ],
)
def test_malformed_records_are_decode_dead_letters(value: bytes, reason: str, context: EnrichmentContext) -> None:
    outcome = process_value(value, KafkaPosition(topic="t", partition=0, offset=7), context)
    assert isinstance(outcome, DeadLetter)
    assert (outcome.stage, outcome.reason, outcome.error_class) == ("decode", reason, "PoisonRecordError")
    assert outcome.error_message


def test_the_dead_letter_schema_lists_every_reason() -> None:
    schema = load_json(TOPIC_SCHEMAS["dead_letter"])
    assert schema["properties"]["reason"]["enum"] == list(get_args(DeadLetterReason))


def test_feed_entry_html_becomes_paragraphs(make_raw: Callable[..., RawArticle], context: EnrichmentContext) -> None:
    outcome = process_value(
        encode(make_raw(format="feed", title="عنوان", content="<p>الفقرة <b>الأولى</b></p><p>الفقرة الثانية</p>")),
        KafkaPosition(),
        context,
    )
    assert isinstance(outcome, EnrichedArticle)
    assert outcome.article.body == ("الفقرة الأولى", "الفقرة الثانية")
    assert outcome.article.title == "عنوان"
