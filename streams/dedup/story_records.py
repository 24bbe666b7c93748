"""The story stage's records: a story-log entry in, a story assignment out (streams.dedup.stories)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

import numpy as np

from streams.dedup.event_records import EventAssignment, EventSketch


@dataclass(frozen=True, slots=True)
class StoryEntry:
    """One line of the story log: what the duplicate stage knows of one delivery of an article."""

    doc_id: str
    delivery: str  # the same fetch replayed after a crash has the same delivery id
    seen_at: datetime
    source: str | None
    fingerprint: str
    signature: np.ndarray = field(compare=False)
    title_key: str
    headlines: tuple[str, ...] = ()  # the article's read-also and similar headlines, as displayed
    event: EventSketch | None = None  # None in entries written before events


@dataclass(frozen=True, slots=True)
class StoryAssignment:
    doc_id: str
    story_id: str
    duplicate_of: str | None
    similarity: float
    seen_count: int
    first_seen: datetime
    last_seen: datetime
    sources: tuple[str, ...]
    links: tuple[tuple[str, str], ...]  # (headline, doc_id of the article with that title)
    # articles applied earlier that list this one's title: their links now (doc_id -> links)
    backlinks: dict[str, tuple[tuple[str, str], ...]] = field(default_factory=dict)
    event: EventAssignment | None = None  # None when the index or the entry has no events
