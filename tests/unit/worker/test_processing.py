"""The CPU stage in child processes gives what the thread gives, and a child killed between batches
costs one transient failure, not the batch."""

from __future__ import annotations

import multiprocessing
import os
import signal
from collections.abc import Callable
from itertools import islice

import orjson
import pytest

from streams.enrich.names import NameDictionary
from streams.errors import TransientError
from streams.kafka.codec import encode
from streams.records import KafkaPosition, RawArticle
from streams.settings import EnrichmentSettings
from streams.worker.processing import BatchProcessor, Event, ProcessedBatch
from tests.conftest import SAUDI_SAMPLE

pytestmark = pytest.mark.unit

MAX_BYTES = 2**20


@pytest.fixture
def batch(make_raw: Callable[..., RawArticle], seed_text: str) -> list[Event]:
    with SAUDI_SAMPLE.open("rb") as handle:
        records = [orjson.loads(line) for line in islice(handle, 12)]
    raws = [make_raw(id=r["id"], title=r["title"], content=r["content"]) for r in records if r["content"].strip()]
    values = [encode(raw) for raw in [make_raw(id="seed", content=seed_text), *raws]]
    values.insert(3, b"\xff not json")
    return [(f"k{i}".encode(), v, KafkaPosition(topic="raw", partition=0, offset=i)) for i, v in enumerate(values)]


def comparable(processed: ProcessedBatch) -> list[tuple[bytes | None, bytes]]:
    """Outcomes without the moment a dead letter was written."""
    return [
        (outcome.key, outcome.letter.reason.encode() if outcome.letter is not None else outcome.value)
        for outcome in processed.outcomes
    ]


async def test_children_process_a_batch_as_the_thread_does_and_survive_a_killed_child(batch: list[Event]) -> None:
    in_thread = await BatchProcessor(1, MAX_BYTES, EnrichmentSettings()).run(batch, NameDictionary())
    in_children = BatchProcessor(2, MAX_BYTES, EnrichmentSettings())
    names = NameDictionary()
    processed = await in_children.run(batch, names)
    assert comparable(processed) == comparable(in_thread)
    assert processed.learned == in_thread.learned
    assert processed.learned_aliases == in_thread.learned_aliases
    assert processed.learned  # the seed's page tags teach names
    assert len(names) == 0  # the worker's own dictionary learns them from the names topic, not from the child

    (victim, *_) = multiprocessing.active_children()
    os.kill(victim.pid or 0, signal.SIGKILL)
    victim.join(timeout=30)
    outcomes: list[ProcessedBatch | TransientError] = []
    while not outcomes or isinstance(outcomes[-1], TransientError):
        try:  # the pool notices the death on its own thread: this batch or the next fails, once
            outcomes.append(await in_children.run(batch, NameDictionary()))
        except TransientError as exc:
            outcomes.append(exc)
        assert len(outcomes) <= 3, outcomes
    assert isinstance(outcomes[-1], ProcessedBatch)
    assert comparable(outcomes[-1]) == comparable(in_thread)
    assert victim not in multiprocessing.active_children()
