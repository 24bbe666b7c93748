"""Typed failures. Every exception newsflow raises derives from :class:`NewsflowError`.

- :class:`PoisonRecordError`: this record can never be processed; it goes to the dead-letter topic.
- :class:`TransientError`: the world is briefly broken (a service down, a 429); retry with backoff.
- :class:`BackpressureError`: a downstream is saturated; stop taking new records until it drains.
"""

from __future__ import annotations

from typing import Literal

Stage = Literal["produce", "decode", "parse", "enrich", "dedup", "index"]


class NewsflowError(Exception):
    """Root of every newsflow error."""


class ConfigurationError(NewsflowError):
    """Settings or deployment files are missing or inconsistent."""


class PoisonRecordError(NewsflowError):
    """A record that no retry will fix. ``stage`` names where it failed."""

    def __init__(self, stage: Stage, message: str) -> None:
        super().__init__(message)
        self.stage = stage


class TransientError(NewsflowError):
    """A failure that a retry after a pause may fix."""


class BackpressureError(TransientError):
    """A downstream asked us to slow down (e.g. Elasticsearch answered 429)."""
