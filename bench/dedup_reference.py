"""The story index as it was before streams.dedup.stories became compact: one Python object per member
and datasketch's MinHashLSH (a dict of sets per band). Kept only as the reference the compact index is
checked against: tests/unit/dedup/test_compact_index.py requires identical assignments over a recorded
story log, bench.dedup_report and bench.story_restart measure both side by side."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np
from datasketch import LeanMinHash, MinHashLSH

from streams.dedup.options import StoryOptions
from streams.dedup.sketch import SCHEME, SEED
from streams.dedup.story_records import StoryAssignment, StoryEntry
from streams.text.normalize import matching_key

EXPIRE_EVERY = 1000


def lean(values: np.ndarray) -> LeanMinHash:
    return LeanMinHash(seed=SEED, hashvalues=values, scheme=SCHEME)


def similarity(first: np.ndarray, second: np.ndarray) -> float:
    return float(np.count_nonzero(first == second)) / len(first)


@dataclass(slots=True)
class _Member:
    story_id: str
    duplicate_of: str | None
    similarity: float
    signature: np.ndarray
    fingerprint: str
    title_key: str
    headlines: tuple[str, ...]
    first_seen: datetime
    last_seen: datetime
    deliveries: set[str]
    sources: list[str]


class ReferenceStoryIndex:
    def __init__(self, threshold: float, num_perm: int, window: timedelta) -> None:
        self.threshold = threshold
        self.num_perm = num_perm
        self.window = window
        self._lsh = MinHashLSH(threshold=threshold, num_perm=num_perm)
        self._members: dict[str, _Member] = {}
        self._by_fingerprint: dict[str, str] = {}
        self._by_title: dict[str, str] = {}
        self._awaiting: dict[str, set[str]] = {}  # headline key -> members listing it, not yet resolved
        self._watermark: datetime | None = None
        self._applied = 0

    @classmethod
    def configured(cls, options: StoryOptions) -> ReferenceStoryIndex:
        return cls(options.threshold, options.num_perm, options.window)

    def __len__(self) -> int:
        return len(self._members)

    def apply(self, entry: StoryEntry) -> StoryAssignment:
        self._applied += 1
        if self._watermark is None or entry.seen_at > self._watermark:
            self._watermark = entry.seen_at
        if self._applied % EXPIRE_EVERY == 0:
            self.expire()
        member = self._members.get(entry.doc_id)
        backlinks: dict[str, tuple[tuple[str, str], ...]] = {}
        if member is None:
            member = self._add(entry)
            backlinks = self._resolve_awaiting(entry)
        elif entry.delivery not in member.deliveries:
            member.deliveries.add(entry.delivery)
            member.first_seen = min(member.first_seen, entry.seen_at)
            member.last_seen = max(member.last_seen, entry.seen_at)
            if entry.source and entry.source not in member.sources:
                member.sources.append(entry.source)
        return StoryAssignment(
            doc_id=entry.doc_id,
            story_id=member.story_id,
            duplicate_of=member.duplicate_of,
            similarity=member.similarity,
            seen_count=len(member.deliveries),
            first_seen=member.first_seen,
            last_seen=member.last_seen,
            sources=tuple(member.sources),
            links=self.links(entry.doc_id, member.headlines),
            backlinks=backlinks,
        )

    def links(self, doc_id: str, headlines: Sequence[str]) -> tuple[tuple[str, str], ...]:
        """(headline, id) for each headline that is the title of another article in the index."""
        found = ((headline, self._by_title.get(matching_key(headline))) for headline in headlines)
        return tuple((headline, linked) for headline, linked in found if linked is not None and linked != doc_id)

    def _resolve_awaiting(self, entry: StoryEntry) -> dict[str, tuple[tuple[str, str], ...]]:
        """Earlier members whose headlines name this new article: their links, now including it; and
        this article's own unresolved headlines, awaited from now on."""
        for headline in entry.headlines:
            key = matching_key(headline)
            if key not in self._by_title:
                self._awaiting.setdefault(key, set()).add(entry.doc_id)
        waiting = sorted(self._awaiting.pop(entry.title_key, set()) - {entry.doc_id})
        return {d: self.links(d, self._members[d].headlines) for d in waiting if d in self._members}

    def _is_current(self, member: _Member) -> bool:
        return self._watermark is None or member.last_seen >= self._watermark - self.window

    def _closest(self, entry: StoryEntry) -> tuple[_Member, float] | None:
        """The earlier member most similar to ``entry`` (ties: the earliest), if any passes the threshold."""
        exact = self._by_fingerprint.get(entry.fingerprint)
        if exact is not None and self._is_current(self._members[exact]):
            return self._members[exact], 1.0
        matches = []
        for doc_id in self._lsh.query(lean(entry.signature)):
            candidate = self._members[doc_id]
            score = similarity(entry.signature, candidate.signature)
            if score >= self.threshold and self._is_current(candidate):
                matches.append((-score, candidate.first_seen, doc_id))
        if not matches:
            return None
        negative_score, _, doc_id = min(matches)  # most similar; ties: the earliest, then the lowest id
        return self._members[doc_id], -negative_score

    def _add(self, entry: StoryEntry) -> _Member:
        closest = self._closest(entry)
        if closest is None:
            story_id, duplicate_of, score = entry.doc_id, None, 1.0
        else:
            matched, score = closest
            story_id = matched.story_id
            duplicate_of = story_id
            representative = self._members.get(story_id)
            if representative is not None and representative is not matched:
                score = similarity(entry.signature, representative.signature)
        member = _Member(
            story_id=story_id,
            duplicate_of=duplicate_of,
            similarity=round(score, 4),
            signature=entry.signature,
            fingerprint=entry.fingerprint,
            title_key=entry.title_key,
            headlines=entry.headlines,
            first_seen=entry.seen_at,
            last_seen=entry.seen_at,
            deliveries={entry.delivery},
            sources=[entry.source] if entry.source else [],
        )
        self._members[entry.doc_id] = member
        self._lsh.insert(entry.doc_id, lean(entry.signature), check_duplication=False)
        self._by_fingerprint.setdefault(entry.fingerprint, entry.doc_id)
        if entry.title_key:
            self._by_title.setdefault(entry.title_key, entry.doc_id)
        return member

    def expire(self) -> int:
        """Forget members that fell out of the window; returns how many."""
        stale = [doc_id for doc_id, member in self._members.items() if not self._is_current(member)]
        for doc_id in stale:
            member = self._members.pop(doc_id)
            self._lsh.remove(doc_id)
            if self._by_fingerprint.get(member.fingerprint) == doc_id:
                del self._by_fingerprint[member.fingerprint]
            if self._by_title.get(member.title_key) == doc_id:
                del self._by_title[member.title_key]
            for headline in member.headlines:
                self._awaiting.get(matching_key(headline), set()).discard(doc_id)
        return len(stale)
