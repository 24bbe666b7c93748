"""What every source yields: a RawArticle with a stable id, or an InputError saying what is wrong."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from streams.errors import DeadLetterReason
from streams.text.normalize import matching_key


@dataclass(frozen=True, slots=True)
class InputError:
    origin: str
    reason: DeadLetterReason
    message: str
    payload: bytes


def stable_id(*, record_id: str | None = None, url: str | None = None, content: str = "") -> str:
    """The article id: the record's own id, else a hash of its URL, else of its normalized text."""
    if record_id:
        return record_id
    basis = f"url:{url.strip()}" if url else f"text:{matching_key(content)}"
    return hashlib.sha256(basis.encode("utf-8")).hexdigest()[:32]
