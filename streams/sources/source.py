"""The source protocol: what ``newsflow produce`` reads articles from.

A read yields what is new since the last acknowledged read: a RawArticle with a stable id, or an
InputError naming what is wrong (dead-lettered by the producer with its reason, never raised). After the
broker acknowledged everything a read yielded, ``acknowledged`` lets the source remember it (a feed's
cursor), so a restart neither loses nor repeats an input.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Protocol

from streams.records import RawArticle
from streams.sources.inputs import InputError


class Source(Protocol):
    @property
    def name(self) -> str:
        """What the operator reads in reports (a path, a feed URL)."""
        ...

    @property
    def remark(self) -> str | None:
        """What the operator should know about the last read that is not an input's fault (a feed
        unreachable or not modified): reported, not dead-lettered; the next read tries again."""
        ...

    def expected(self) -> int | None:
        """How many inputs the next read yields at most (a progress total); None when unknown."""
        ...

    def read(self) -> Iterator[RawArticle | InputError]: ...

    def acknowledged(self) -> None:
        """The broker acknowledged every input of the last read."""
        ...
