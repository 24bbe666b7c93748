"""What the agents report as they go: Prometheus metrics (streams.metrics) plus the small in-memory
views the ops page shows (recent documents, recent dead letters). One Telemetry per worker, built in
``create_app`` and passed to the agents; recording never does I/O."""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from streams.dedup.story_records import StoryAssignment
from streams.metrics import Metrics
from streams.ops.history import History
from streams.records import DeadLetter
from streams.retry import Cause

KEEP = 50
LABELS_KEPT = 10_000  # story titles and event labels this worker saw, newest kept, to name later members
# Label values known in advance, exported at zero from the start: rate() and increase() (dashboards, alert
# rules) need a series before its first event, e.g. to see that nothing has been indexed for an hour.
STAGES = ("process", "index")
DUPLICATE_KINDS = ("exact", "near")


@dataclass(frozen=True, slots=True)
class RecentDocument:
    id: str
    title: str
    source: str | None
    story_id: str
    story_label: str  # the title of the story's first article, when this worker indexed it; else this one's
    duplicate_of: str | None
    event_id: str | None
    event_label: str | None  # the event's label in the summary this article changed, if it changed one
    indexed_at: str


@dataclass
class Telemetry:
    metrics: Metrics = field(default_factory=Metrics)
    documents: deque[RecentDocument] = field(default_factory=lambda: deque(maxlen=KEEP))
    letters: deque[tuple[int, DeadLetter]] = field(default_factory=lambda: deque(maxlen=KEEP))
    started_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    history: History = field(default_factory=History)  # the last hour, sampled by a timer (streams.ops.history)
    story_titles: dict[str, str] = field(default_factory=dict)  # story id -> its first article's title
    event_labels: dict[str, str] = field(default_factory=dict)  # event id -> its newest label seen
    _letter_number: int = 0

    def __post_init__(self) -> None:
        for stage in STAGES:
            self.metrics.records.labels(stage, "in")
            self.metrics.records.labels(stage, "out")
        for kind in DUPLICATE_KINDS:
            self.metrics.duplicates.labels(kind)

    def batch_in(self, stage: str, events: Sequence[Any], highwater: Any) -> None:
        """Count a batch taken from Kafka and update the lag of its partitions (``highwater(tp)``)."""
        self.metrics.records.labels(stage, "in").inc(len(events))
        last: dict[Any, int] = {}
        for event in events:
            tp = event.message.tp
            last[tp] = max(last.get(tp, -1), event.message.offset)
        for tp, offset in last.items():
            mark = highwater(tp)
            if mark is not None:
                self.metrics.consumer_lag.labels(tp.topic, str(tp.partition)).set(max(0, mark - offset - 1))

    def out(self, stage: str, count: int) -> None:
        self.metrics.records.labels(stage, "out").inc(count)

    def dead_lettered(self, letters: Iterable[DeadLetter]) -> None:
        for letter in letters:
            self.metrics.records.labels(letter.stage, "dead_letter").inc()
            self.metrics.dead_letters.labels(letter.stage, letter.reason).inc()
            self._letter_number += 1
            self.letters.appendleft((self._letter_number, letter))

    def letter(self, number: int) -> DeadLetter | None:
        return next((letter for n, letter in self.letters if n == number), None)

    def retried(self, action: str, cause: Cause) -> None:
        self.metrics.retries.labels(action, cause).inc()

    def bulk(self, documents: int, seconds: float) -> None:
        self.metrics.bulk_documents.inc(documents)
        self.metrics.bulk_seconds.observe(seconds)

    def indexed(self, documents: Sequence[tuple[dict[str, Any], StoryAssignment, datetime]]) -> None:
        """Documents Elasticsearch acknowledged, with their stories and when their raw record was produced."""
        now = datetime.now(UTC)
        self.out("index", len(documents))
        for document, story, received in documents:
            self.metrics.end_to_end.observe(max(0.0, (now - received).total_seconds()))
            if story.seen_count > 1:
                self.metrics.redeliveries.inc()
            elif story.duplicate_of is None:
                self.metrics.stories.inc()
                _remember(self.story_titles, story.story_id, document["title"])
            else:
                self.metrics.duplicates.labels("exact" if story.similarity == 1.0 else "near").inc()
            for summary in story.event.changed if story.event is not None else ():
                _remember(self.event_labels, summary.event_id, summary.label)
            self.documents.appendleft(
                RecentDocument(
                    id=document["id"],
                    title=document["title"],
                    source=document["source"]["name"],
                    story_id=story.story_id,
                    story_label=self.story_titles.get(story.story_id, document["title"]),
                    duplicate_of=story.duplicate_of,
                    event_id=story.event.event_id if story.event is not None else None,
                    event_label=self.event_labels.get(story.event.event_id) if story.event is not None else None,
                    indexed_at=now.isoformat(timespec="seconds"),
                )
            )


def _remember(labels: dict[str, str], key: str, label: str) -> None:
    labels.pop(key, None)  # the newest last
    labels[key] = label
    if len(labels) > LABELS_KEPT:
        del labels[next(iter(labels))]  # the oldest (dicts keep insertion order)
