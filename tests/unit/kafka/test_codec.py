from __future__ import annotations

import base64
from collections.abc import Callable

import orjson
import pytest

from streams.enrich.enricher import EnrichmentContext
from streams.errors import PoisonRecordError
from streams.kafka.codec import dead_letter, decode_enriched, decode_raw, encode
from streams.pipeline.process import process_raw, process_value
from streams.records import DeadLetter, EnrichedArticle, KafkaPosition, RawArticle
from streams.schemas import validation_errors

pytestmark = pytest.mark.unit


def test_raw_round_trip(make_raw: Callable[..., RawArticle]) -> None:
    raw = make_raw(authors=("أحمد",), url="https://example.com/a")
    assert decode_raw(encode(raw)) == raw


def test_enriched_round_trip_matches_its_schema(
    make_raw: Callable[..., RawArticle], seed_text: str, context: EnrichmentContext
) -> None:
    enriched = process_raw(make_raw(content=seed_text), context)
    value = encode(enriched)
    assert validation_errors("enriched", orjson.loads(value)) == []
    assert decode_enriched(value) == enriched


def test_unknown_fields_are_accepted(make_raw: Callable[..., RawArticle]) -> None:
    data = orjson.loads(encode(make_raw()))
    data["added_by_a_newer_producer"] = {"x": 1}
    assert decode_raw(orjson.dumps(data)).id == "article-1"


@pytest.mark.parametrize(
    ("value", "message"),
    [
        pytest.param(b"\xff\xfe\x00garbage", "not valid UTF-8", id="binary"),
        pytest.param(b'{"a": "\xd8"}', "not valid UTF-8", id="truncated-utf8"),
        pytest.param(b"{broken", "not valid JSON", id="broken-json"),
        pytest.param(b'"a string"', "not an object", id="json-string"),
        pytest.param(b'{"schema_version": 1, "id": "x"}', "'format' is a required property", id="missing-fields"),
        pytest.param(
            b'{"schema_version": 1, "id": 5, "format": "text", "content": "c", "fetched_at": "2025-01-01T00:00:00Z",'
            b' "origin": "o"}',
            "id: 5 is not of type 'string'",
            id="wrong-type",
        ),
    ],
)
def test_bad_raw_values_are_poison(value: bytes, message: str) -> None:
    with pytest.raises(PoisonRecordError, match=message) as caught:
        decode_raw(value)
    assert caught.value.stage == "decode"


def test_process_value_turns_poison_into_dead_letters(context: EnrichmentContext) -> None:
    position = KafkaPosition(topic="raw", partition=2, offset=41)
    outcome = process_value(b"\xff\x00", position, context, message_key=b"k1")
    assert isinstance(outcome, DeadLetter)
    assert (outcome.stage, outcome.error_class, outcome.position, outcome.message_key) == (
        "decode",
        "PoisonRecordError",
        position,
        "k1",
    )
    assert base64.b64decode(outcome.payload) == b"\xff\x00"
    assert outcome.payload_encoding == "base64"
    assert validation_errors("dead_letter", orjson.loads(encode(outcome))) == []


def test_process_value_of_empty_article_is_a_parse_dead_letter(
    make_raw: Callable[..., RawArticle], context: EnrichmentContext
) -> None:
    value = encode(make_raw(content="   "))
    outcome = process_value(value, KafkaPosition(), context)
    assert isinstance(outcome, DeadLetter)
    assert outcome.stage == "parse"
    assert outcome.payload == value.decode()
    assert outcome.payload_encoding == "utf-8"


def test_process_value_of_good_article(
    make_raw: Callable[..., RawArticle], seed_text: str, context: EnrichmentContext
) -> None:
    outcome = process_value(encode(make_raw(content=seed_text)), KafkaPosition(), context)
    assert isinstance(outcome, EnrichedArticle)
    assert outcome.article.source.name == "صدى البلد"


def test_dead_letter_keeps_text_payload() -> None:
    letter = dead_letter("index", ValueError("boom"), "نص".encode(), KafkaPosition())
    assert (letter.payload, letter.error_class, letter.error_message) == ("نص", "ValueError", "boom")
