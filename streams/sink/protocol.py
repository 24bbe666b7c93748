"""What a sink is: where the index agent writes every enriched article, after its story is known.

The agent builds one ``SinkRecord`` per article (its document, story, and where in Kafka the enriched
record was read) and hands the batch to every sink in use (streams.pipeline.stages, ``sink.targets``),
in order; offsets are committed only after every sink returned. A sink:

- ``start``: prepares what it writes to (an index, a directory); called once, retried while transient;
- ``write``: writes the batch, waiting out transient failures itself under the one retry policy (the
  batch is held meanwhile: that is backpressure), and returns the records it refuses for good (each
  becomes a dead letter; later sinks do not get them); a replayed record must not be written twice;
- ``stop``: releases what it holds.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal, Protocol

from streams.dedup.story_records import StoryAssignment
from streams.records import KafkaPosition
from streams.retry import Retrier
from streams.settings import Settings

RefusalReason = Literal["mapping", "rejected"]


@dataclass(frozen=True, slots=True)
class SinkRecord:
    doc_id: str
    document: dict[str, Any]  # streams.sink.documents.to_document
    story: StoryAssignment
    position: KafkaPosition  # of the enriched record
    received_at: datetime  # the enriched record's Kafka timestamp: the same when it is read again


@dataclass(frozen=True, slots=True)
class Refused:
    """A record a sink will never accept as it is: ``mapping`` (its fields) or ``rejected`` (another cause)."""

    doc_id: str
    reason: RefusalReason
    message: str


class Sink(Protocol):
    @property
    def name(self) -> str: ...

    async def start(self) -> None: ...

    async def write(self, records: Sequence[SinkRecord]) -> list[Refused]: ...

    async def stop(self) -> None: ...


OnBulk = Callable[[int, float], None]  # (documents, seconds) of one bulk write to Elasticsearch, for the metrics


@dataclass(frozen=True, slots=True)
class SinkSetup:
    """What every sink is made from (streams.pipeline.stages.SINKS)."""

    settings: Settings
    retrier: Retrier
    fields: Mapping[str, Mapping[str, Any]]  # mappings of the document fields the enrichers in use add
    on_bulk: OnBulk | None = None
