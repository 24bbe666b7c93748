"""Story assignment: the pure core of the duplicate stage.

``StoryIndex.apply`` takes the story log's entries one at a time, in log order, and answers each with
the article's story. It is deterministic: every worker that applies the same log from its start
holds the same state and gives the same answers, which is what lets several workers share one story
space (see streams.kafka.story_log).

- The same ``doc_id`` again (a re-delivered article) keeps its story; a new ``delivery`` adds to
  ``seen_count``, ``last_seen`` and ``sources``, a replay of a delivery already counted changes nothing.
- A new article whose body fingerprint or MinHash signature matches an earlier member (estimated
  Jaccard >= threshold) joins that member's story; the story's representative is its first member in
  log order, so ``story_id`` is the representative's ``doc_id`` and ``duplicate_of`` names it.
  Candidates are the members sharing a whole LSH band with the article, with the bands datasketch's
  MinHashLSH chooses for the threshold and number of permutations.
- Members older than ``window`` behind the newest article applied (the watermark) are forgotten and
  never matched again, which bounds memory.

Storage is columnar (streams.dedup.members): one row per member in numpy arrays, lookups through
sorted integer keys (streams.dedup.keys); about 0.5 KB a member, of which the signature is half.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

import numpy as np

from streams.dedup.events import EventIndex
from streams.dedup.members import Members, hash64
from streams.dedup.options import StoryOptions
from streams.dedup.story_records import StoryAssignment, StoryEntry
from streams.text.normalize import matching_key

EXPIRE_EVERY = 1000


class StoryIndex:
    def __init__(
        self,
        threshold: float,
        num_perm: int,
        window: timedelta,
        members: Members | None = None,
        events: EventIndex | None = None,
    ) -> None:
        self.threshold = threshold
        self.num_perm = num_perm
        self.window = window
        self.members = members or Members.empty(threshold, num_perm)
        self.events = events  # the event index applied to the same entries (streams.dedup.events)

    @classmethod
    def configured(cls, options: StoryOptions) -> StoryIndex:
        events = EventIndex(options.events) if options.events is not None else None
        return cls(options.threshold, options.num_perm, options.window, events=events)

    def __len__(self) -> int:
        return self.members.present_count

    def apply(self, entry: StoryEntry) -> StoryAssignment:
        members = self.members
        members.applied += 1
        seen_us = members.micros(entry.seen_at)
        if members.watermark_us is None or seen_us > members.watermark_us:
            members.watermark_us = seen_us
        if members.applied % EXPIRE_EVERY == 0:
            self.expire()
        row = members.row_of(entry.doc_id)
        backlinks: dict[str, tuple[tuple[str, str], ...]] = {}
        if row is None:
            row = self._add(entry)
            backlinks = self._resolve_awaiting(entry, row)
        else:
            members.deliver(row, hash64(entry.delivery), entry.seen_at, entry.source)
        story_id = members.story_id(row)
        duplicate_of = story_id if members.duplicate[row] else None
        event = (
            self.events.apply(entry.doc_id, entry.event, entry.source, duplicate_of)
            if self.events is not None and entry.event is not None
            else None
        )
        return StoryAssignment(
            doc_id=entry.doc_id,
            story_id=story_id,
            duplicate_of=duplicate_of,
            similarity=float(members.similarity[row]),
            seen_count=members.seen_count(row),
            first_seen=members.first_seen(row),
            last_seen=members.last_seen(row),
            sources=members.sources(row),
            links=self.links(entry.doc_id, members.headlines(row)),
            backlinks=backlinks,
            event=event,
        )

    def links(self, doc_id: str, headlines: Sequence[str]) -> tuple[tuple[str, str], ...]:
        """(headline, id) for each headline that is the title of another article in the index."""
        found = []
        for headline in headlines:
            row = self.members.titled(hash64(matching_key(headline)))
            if row is not None and (linked := self.members.doc_id(row)) != doc_id:
                found.append((headline, linked))
        return tuple(found)

    def _resolve_awaiting(self, entry: StoryEntry, row: int) -> dict[str, tuple[tuple[str, str], ...]]:
        """Earlier members whose headlines name this new article: their links, now including it; and
        this article's own unresolved headlines, awaited from now on."""
        members = self.members
        awaited: set[int] = set()
        for headline in entry.headlines:
            key = hash64(matching_key(headline))
            if key not in awaited and members.titled(key) is None:
                members.awaiting.add(key, row)
                awaited.add(key)
        waiting = {r for r in members.awaiting.pop(hash64(entry.title_key)) if members.present[r] and r != row}
        named = sorted((members.doc_id(r), r) for r in waiting)
        return {doc_id: self.links(doc_id, members.headlines(r)) for doc_id, r in named}

    def _closest(self, entry: StoryEntry, band_keys: np.ndarray) -> tuple[int, float] | None:
        """The earlier member most similar to ``entry`` (ties: the earliest), if any passes the threshold."""
        members = self.members
        exact = members.fingerprinted(hash64(entry.fingerprint))
        if exact is not None and members.is_current(exact, self.window):
            return exact, 1.0
        candidates = members.band_candidates(entry.signature, band_keys)
        if not candidates:
            return None
        rows = np.fromiter(candidates, np.int64, len(candidates))
        agree = np.count_nonzero(members.signatures[rows] == entry.signature, axis=1).tolist()
        matches = []
        for row, count in zip(rows.tolist(), agree, strict=True):
            score = float(count) / self.num_perm
            if score >= self.threshold and members.is_current(row, self.window):
                matches.append((-score, int(members.first_us[row]), members.doc_id(row), row))
        if not matches:
            return None
        negative_score, _, _, row = min(matches)  # most similar; ties: the earliest, then the lowest id
        return row, -negative_score

    def _add(self, entry: StoryEntry) -> int:
        members = self.members
        band_keys = members.band_keys(entry.signature)
        closest = self._closest(entry, band_keys)
        story_id: str | None = None
        score = 1.0
        if closest is not None:
            matched, score = closest
            story_id = members.story_id(matched)
            representative = members.row_of(story_id)
            if representative is not None and representative != matched:
                agree = np.count_nonzero(members.signatures[representative] == entry.signature)
                score = float(agree) / self.num_perm
        return members.append(entry, band_keys, story_id, round(score, 4))

    def expire(self) -> int:
        """Forget members that fell out of the window; returns how many."""
        return self.members.expire(self.window)
