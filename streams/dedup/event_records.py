"""The records of event assignment (streams.dedup.events): what it reads of an article, the state it keeps
per event, and what it answers and writes (the summaries of the events index)."""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime

LABEL_CANDIDATES = 40  # members whose titles may label an event
SUMMARY_ITEMS = 10  # top entities and tags in an event's summary


@dataclass(frozen=True, slots=True)
class EventSketch:
    """What event assignment reads of an article (built by streams.dedup.entries.event_sketch)."""

    title: str
    at: datetime  # the article's date: published, else fetched
    terms: tuple[tuple[int, int], ...]  # (stem hash, count) over the title (counted twice) and the lead
    title_terms: tuple[int, ...]  # the title's stem hashes
    entities: tuple[str, ...] = ()  # keys of people, organisations and places, sorted
    tags: tuple[str, ...] = ()  # keys of the page's tags, sorted


@dataclass(frozen=True, slots=True)
class EventSummary:
    """What people open: one event as the events index holds it. ``revision`` grows with every change, so
    the index keeps the newest summary whichever worker writes last (external versioning)."""

    event_id: str
    revision: int
    label: str
    first_seen: datetime
    last_seen: datetime
    article_count: int
    outlets: tuple[str, ...]
    entities: tuple[str, ...]
    tags: tuple[str, ...]
    merged_ids: tuple[str, ...]
    merged_into: str | None = None


@dataclass(frozen=True, slots=True)
class EventAssignment:
    event_id: str
    similarity: float  # the score that joined the event (1.0: opened it, or a copy of a member)
    changed: tuple[EventSummary, ...] = ()  # the summaries this article changed (its event, merged ones)


@dataclass(slots=True)
class Event:
    event_id: str
    first_us: int
    last_us: int
    centroid: dict[int, float] = field(default_factory=dict)  # sum of member vectors, heaviest terms
    entities: Counter[str] = field(default_factory=Counter)
    tags: Counter[str] = field(default_factory=Counter)
    outlets: Counter[str] = field(default_factory=Counter)
    titles: list[tuple[str, tuple[int, ...]]] = field(default_factory=list)  # (title, title stems) of members
    count: int = 0
    revision: int = 0
    merged_ids: list[str] = field(default_factory=list)
    merged_into: str | None = None
    norm: float = 1.0  # the centroid's length, kept with it by EventIndex

    def summary(self) -> EventSummary:
        return EventSummary(
            event_id=self.event_id,
            revision=self.revision,
            label=self.label(),
            first_seen=datetime.fromtimestamp(self.first_us / 1e6, UTC),
            last_seen=datetime.fromtimestamp(self.last_us / 1e6, UTC),
            article_count=self.count,
            outlets=tuple(sorted(self.outlets)),
            entities=tuple(key for key, _ in _top(self.entities)),
            tags=tuple(key for key, _ in _top(self.tags)),
            merged_ids=tuple(self.merged_ids),
            merged_into=self.merged_into,
        )

    def label(self) -> str:
        """The most representative member title: the heaviest in the centroid per title word."""
        best, best_score = "", -1.0
        for title, stems in self.titles[:LABEL_CANDIDATES]:
            score = sum(self.centroid.get(s, 0.0) for s in set(stems)) / math.sqrt(len(stems) or 1)
            if score > best_score:
                best, best_score = title, score
        return best


def _top(counts: Counter[str]) -> list[tuple[str, int]]:
    return sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:SUMMARY_ITEMS]
