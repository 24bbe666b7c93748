"""Where a worker's CPU stage (parse + enrich, streams.pipeline) runs: in a thread beside the event
loop (``processes=1``) or in a pool of child processes, one batch per child at a time, so one worker
uses every core it is given (``newsflow worker --processes N``).

The process agent runs one actor per child (Faust agent concurrency): while one batch is parsed and
enriched in a child, another actor publishes the batch before it. A child gets the batch, a copy of the
worker's name dictionary (names and aliases: what every worker learned so far) and returns the outcomes
with the names it learned; the worker publishes those on the names topic, whence every worker,
this one included, reads them. Delivery is unchanged: records are finished (committable) only once
their outcomes were delivered, so a child killed mid-batch loses nothing: its batch fails as transient
(``BrokenProcessPool``), the pool is started again and the batch is processed again.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import os
import threading
import time
from collections.abc import Sequence
from concurrent.futures import Executor, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from functools import cache
from typing import NamedTuple

from streams.enrich.enricher import EnrichmentContext
from streams.enrich.names import Alias, NameDictionary
from streams.errors import TransientError
from streams.kafka.codec import encode
from streams.pipeline.process import process_values
from streams.pipeline.stages import enrichment_context
from streams.records import DeadLetter, EnrichedArticle, KafkaPosition
from streams.settings import EnrichmentSettings

log = logging.getLogger(__name__)

Event = tuple[bytes | None, bytes, KafkaPosition]  # (message key, value, position)
PARENT_CHECK_SECONDS = 1.0


class Outcome(NamedTuple):
    """One record's outcome as it goes on to Kafka, encoded where it was made (a child process: bytes
    cross back to the worker far cheaper than the records they encode; a tuple, because a dataclass is
    unpickled field by field)."""

    key: bytes | None  # the enriched record's key (its article id), or the raw record's key for a dead letter
    value: bytes  # the encoded enriched record or dead letter
    letter: DeadLetter | None  # the dead letter itself, for the log and the counters


@dataclass(frozen=True, slots=True)
class ProcessedBatch:
    outcomes: list[Outcome]  # in the batch's order
    learned: dict[str, str]  # names learned from the batch's page tags
    learned_aliases: dict[str, Alias]


def outcome(message_key: bytes | None, result: EnrichedArticle | DeadLetter) -> Outcome:
    if isinstance(result, DeadLetter):
        return Outcome(message_key, encode(result), result)
    return Outcome(result.article.id.encode(), encode(result), None)


@cache
def process_context(settings: EnrichmentSettings) -> EnrichmentContext:
    """The enrichment context of this process: loaded once, on its first batch or when a child starts."""
    return enrichment_context(settings)


def process_batch(
    events: Sequence[Event], max_bytes: int, names: NameDictionary, settings: EnrichmentSettings
) -> ProcessedBatch:
    """Parse and enrich a batch; what ``names`` learned from it comes back with the outcomes."""
    results = process_values(events, process_context(settings), max_bytes, names)
    return ProcessedBatch(
        [outcome(key, result) for (key, _, _), result in zip(events, results, strict=True)],
        names.drain_learned(),
        names.drain_learned_aliases(),
    )


def _exit_with(parent: int) -> None:
    """A child's watch: leave as soon as the worker that started it is gone (a SIGKILLed worker cannot
    stop its pool, and the children hold each other's end of the call queue open)."""
    while os.getppid() == parent:
        time.sleep(PARENT_CHECK_SECONDS)
    os._exit(0)


def _warm_up(settings: EnrichmentSettings) -> None:
    """In a new child: watch the worker, load the enrichment context before the first batch."""
    threading.Thread(target=_exit_with, args=(os.getppid(),), daemon=True, name="parent-watch").start()
    process_context(settings)


class BatchProcessor:
    """Runs ``process_batch`` off the event loop: in the default thread pool, or in ``processes``
    children started with ``spawn`` (never ``fork`` a process that runs Kafka client threads)."""

    def __init__(self, processes: int, max_bytes: int, enrichment: EnrichmentSettings) -> None:
        self.processes = processes
        self.max_bytes = max_bytes
        self.enrichment = enrichment
        self._pool: Executor | None = None

    def _executor(self) -> Executor:
        if self._pool is None:
            context = multiprocessing.get_context("spawn")
            self._pool = ProcessPoolExecutor(
                self.processes, mp_context=context, initializer=_warm_up, initargs=(self.enrichment,)
            )
        return self._pool

    def __enter__(self) -> BatchProcessor:
        return self

    def __exit__(self, *exc_info: object) -> None:
        """When the worker stops, after its agents: end the children at once. Python's exit would wait
        for each child's batch under way, which nobody awaits any more (its records are unfinished,
        so not committed: read again later)."""
        pool, self._pool = self._pool, None
        if isinstance(pool, ProcessPoolExecutor):
            children = list((pool._processes or {}).values())  # private: the executor offers no terminate
            pool.shutdown(wait=False, cancel_futures=True)
            for child in children:
                child.terminate()

    async def run(self, events: Sequence[Event], names: NameDictionary) -> ProcessedBatch:
        if self.processes == 1:
            return await asyncio.to_thread(process_batch, events, self.max_bytes, names, self.enrichment)
        pool = self._executor()
        loop = asyncio.get_running_loop()
        snapshot = names.copy()  # pickled by the pool's thread: never the dictionary the loop updates
        try:
            return await loop.run_in_executor(pool, process_batch, events, self.max_bytes, snapshot, self.enrichment)
        except BrokenProcessPool as exc:
            if self._pool is pool:  # the first actor to see it starts a new pool for all
                log.warning("a processing child died; starting the pool again")
                self._pool = None
                pool.shutdown(wait=False, cancel_futures=True)
            raise TransientError("a processing child died during the batch") from exc
