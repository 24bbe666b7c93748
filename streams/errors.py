"""Typed failures. Every exception newsflow raises derives from :class:`NewsflowError`.

- :class:`PoisonRecordError`: this record can never be processed; it goes to the dead-letter topic.
- :class:`TransientError`: the world is briefly broken (a service down, a 429); retry with backoff.
- :class:`BackpressureError`: a downstream is saturated; stop taking new records until it drains.
"""

from __future__ import annotations

from typing import Literal

Stage = Literal["produce", "decode", "parse", "enrich", "dedup", "index"]

# Why a record was dead-lettered: a small vocabulary, so dashboards and ``newsflow dlq`` can group by it.
DeadLetterReason = Literal[
    "too_large",  # the value is over NEWSFLOW_MAX_PAYLOAD_BYTES
    "bad_encoding",  # not UTF-8 (or, for a file, not text in any known encoding)
    "bad_json",  # not JSON, or JSON that is not an object
    "schema",  # violates its topic schema (missing or mistyped fields, a newer schema_version)
    "no_content",  # no body text: an empty file, page, feed entry or record
    "unsupported",  # an input newsflow cannot read (file type, broken feed)
    "mapping",  # Elasticsearch refused the document's fields (mapping or parsing)
    "rejected",  # Elasticsearch refused the document for another 4xx reason
    # an unexpected exception at that stage: a bug or a shape the code does not handle; fix, then replay
    "produce_error",
    "decode_error",
    "parse_error",
    "enrich_error",
    "dedup_error",
    "index_error",
]
UNEXPECTED: dict[Stage, DeadLetterReason] = {
    "produce": "produce_error",
    "decode": "decode_error",
    "parse": "parse_error",
    "enrich": "enrich_error",
    "dedup": "dedup_error",
    "index": "index_error",
}


class NewsflowError(Exception):
    """Root of every newsflow error."""


class ConfigurationError(NewsflowError):
    """Settings or deployment files are missing or inconsistent."""


class PoisonRecordError(NewsflowError):
    """A record that no retry will fix. ``stage`` names where it failed, ``reason`` why."""

    def __init__(self, stage: Stage, reason: DeadLetterReason, message: str) -> None:
        super().__init__(message)
        self.stage = stage
        self.reason: DeadLetterReason = reason


class TransientError(NewsflowError):
    """A failure that a retry after a pause may fix."""


class BackpressureError(TransientError):
    """A downstream asked us to slow down (e.g. Elasticsearch answered 429)."""
