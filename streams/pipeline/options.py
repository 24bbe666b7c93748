"""The pure cores' options from the settings (the cores never read settings themselves)."""

from __future__ import annotations

from datetime import timedelta

from streams.dedup.options import EventOptions, StoryOptions
from streams.settings import Settings


def event_options(settings: Settings) -> EventOptions:
    events = settings.events
    return EventOptions(
        events.threshold,
        events.merge_threshold,
        events.entity_weight,
        timedelta(hours=events.gap_hours),
        timedelta(hours=events.span_hours),
        settings.stories.window,
    )


def story_options(settings: Settings) -> StoryOptions:
    stories = settings.stories
    return StoryOptions(stories.threshold, stories.num_perm, stories.window, event_options(settings))
