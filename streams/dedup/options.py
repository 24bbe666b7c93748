"""What the story and event indexes are configured with (built from the settings by the application
layer: streams.pipeline.options)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta


@dataclass(frozen=True, slots=True)
class EventOptions:
    """Event assignment (streams.dedup.events): join an open event at ``threshold`` (TF-IDF cosine plus
    ``entity_weight`` per shared entity), merge two at ``merge_threshold`` (centroid cosine); an event
    closes after ``gap`` without articles and takes none ``span`` after its first; ``window`` as stories."""

    threshold: float
    merge_threshold: float
    entity_weight: float
    gap: timedelta
    span: timedelta
    window: timedelta


@dataclass(frozen=True, slots=True)
class StoryOptions:
    """Near copies join a story at estimated Jaccard ``threshold`` over ``num_perm`` MinHash permutations;
    members older than ``window`` are forgotten."""

    threshold: float
    num_perm: int
    window: timedelta
    events: EventOptions | None = None  # None: stories only
