"""A batch of raw values is tagged in one pass and gives what one-by-one processing gives."""

from __future__ import annotations

from collections.abc import Callable
from itertools import islice

import orjson
import pytest

from streams.enrich.enricher import EnrichmentContext
from streams.kafka.codec import encode
from streams.pipeline.process import process_value, process_values
from streams.records import DeadLetter, EnrichedArticle, KafkaPosition, RawArticle
from tests.conftest import SAUDI_SAMPLE

pytestmark = pytest.mark.unit


def test_a_batch_equals_one_by_one_and_dead_letters_only_its_bad_records(
    make_raw: Callable[..., RawArticle], seed_text: str, context: EnrichmentContext
) -> None:
    with SAUDI_SAMPLE.open("rb") as handle:
        records = [orjson.loads(line) for line in islice(handle, 30)]
    raws = [make_raw(id=r["id"], title=r["title"], content=r["content"]) for r in records if r["content"].strip()]
    english = make_raw(id="en", content="Prime Minister Tony Blair met officials of the World Bank in London.")
    values = [encode(raw) for raw in [*raws[:10], make_raw(id="seed", content=seed_text), english, *raws[10:]]]
    values.insert(5, b"\xff not json")
    batch = [
        (f"k{i}".encode(), value, KafkaPosition(topic="raw", partition=0, offset=i)) for i, value in enumerate(values)
    ]

    outcomes = process_values(batch, context)

    assert isinstance(outcomes[5], DeadLetter)
    assert outcomes[5].position.offset == 5
    alone = [process_value(value, position, context, key) for key, value, position in batch]
    assert [type(o) for o in outcomes] == [type(o) for o in alone]
    enriched = [(o, a) for o, a in zip(outcomes, alone, strict=True) if isinstance(o, EnrichedArticle)]
    assert len(enriched) == len(values) - 1
    for together, one in enriched:
        assert isinstance(one, EnrichedArticle)
        assert together.entities == one.entities
        assert together.tags == one.tags
    assert sum(len(o.entities) for o, _ in enriched) > 100
