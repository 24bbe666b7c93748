"""The compiled topic validators never accept what jsonschema refuses (streams.schemas.validation_errors
trusts their "valid"): checked on a real enriched record and every one-field mutation of it."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import fastjsonschema
import orjson
import pytest

from streams.enrich.enricher import EnrichmentContext
from streams.kafka.codec import encode
from streams.pipeline.process import process_raw
from streams.records import RawArticle
from streams.schemas import compiled_validator, topic_validator, validation_errors

pytestmark = pytest.mark.unit

WRONG_VALUES: list[Any] = [None, 5, -1, 1.5, "", "x", [], {}, True, [1], "not-a-date"]


def mutations(value: Any) -> Iterator[Any]:
    """Copies of ``value`` with one member removed or replaced by a value of another kind, at every depth."""
    if isinstance(value, dict):
        for key in value:
            yield {k: v for k, v in value.items() if k != key}
            for wrong in WRONG_VALUES:
                yield {**value, key: wrong}
            for changed in mutations(value[key]):
                yield {**value, key: changed}
    elif isinstance(value, list) and value:
        for wrong in WRONG_VALUES:
            yield [wrong, *value[1:]]
        for changed in mutations(value[0]):
            yield [changed, *value[1:]]


def accepted_by_compiled(kind: str, value: Any) -> bool:
    try:
        compiled_validator(kind)(value)
    except fastjsonschema.JsonSchemaException:
        return False
    return True


def test_the_compiled_validator_accepts_only_what_jsonschema_accepts(
    make_raw: Callable[..., RawArticle], seed_text: str, context: EnrichmentContext
) -> None:
    record = orjson.loads(encode(process_raw(make_raw(content=seed_text), context)))
    assert accepted_by_compiled("enriched", record)
    refused = 0
    for mutated in mutations(record):
        refused_by_jsonschema = any(True for _ in topic_validator("enriched").iter_errors(mutated))
        if refused_by_jsonschema:
            refused += 1
            assert not accepted_by_compiled("enriched", mutated), mutated
            assert validation_errors("enriched", mutated)  # and the reader gets jsonschema's words
    assert refused > 100  # the mutations do reach the schema's rules
