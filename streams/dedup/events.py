"""Event assignment: which real-world event an article reports, across outlets and wordings.

A story groups copies of one text (streams.dedup.stories); an event groups every article about one
incident, announcement or match, whoever wrote it. ``EventIndex.apply`` is online and deterministic like
``StoryIndex.apply``: it is applied to the story log's entries in log order by every worker, so all
workers give an article the same event (streams.kafka.story_log), and a snapshot restores it exactly.

An article is a TF-IDF vector of the stems of its title (counted twice) and lead, with document
frequencies counted over the articles of the story window (so the vocabulary adapts to the feed, in any
language), plus the keys of its people, organisations and places. It joins the open event it is most
similar to: cosine to the event's centroid plus ``entity_weight`` per shared entity (up to three), if
that reaches ``threshold``; copies of a story join their representative's event. Otherwise it opens an
event named after it (``event_id`` is that article's id).

Bounds: an event takes articles for ``span`` after its first one and closes when nothing joined it for
``gap``, so a long-running topic becomes a chain of events, not one; closed events are no longer
candidates, and articles and events older than the story window are forgotten.

Merges: when an article passes the threshold for two open events whose centroids are themselves
similar (cosine >= ``merge_threshold``, a stricter test), the smaller event is merged into the larger
(ties: the older survives, then the better match). The merged event keeps its id as an alias: ``resolve`` maps it to the
survivor, and the survivor lists it in ``merged_ids``.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from streams.dedup.event_records import Event, EventAssignment, EventSketch
from streams.dedup.options import EventOptions

CENTROID_TERMS = 80  # terms kept per event centroid (the heaviest)
QUERY_TERMS = 12  # the article's heaviest terms look up candidate events
MIN_SHARED_TERMS = 2  # of those, a candidate has at least this many in its centroid
MAX_SHARED_ENTITIES = 3
DAY_US = 86_400_000_000
SWEEP_EVERY_US = 10 * 60 * 1_000_000  # open events are checked for their gap and span this often (data time)


def _micros(moment: datetime) -> int:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return int(moment.timestamp() * 1_000_000)


def _cosine(first: Mapping[int, float], second: Mapping[int, float]) -> float:
    if len(first) > len(second):
        first, second = second, first
    dot = sum(w * second.get(t, 0.0) for t, w in first.items())
    norms = math.sqrt(sum(w * w for w in first.values())) * math.sqrt(sum(w * w for w in second.values()))
    return dot / norms if norms else 0.0


class EventIndex:
    def __init__(self, options: EventOptions) -> None:
        self.options = options
        self.events: dict[str, Event] = {}
        self.aliases: dict[str, str] = {}  # merged event id -> the event it was merged into
        self.article_events: dict[str, str] = {}  # doc_id -> the event it joined (an alias after a merge)
        self.df: Counter[int] = Counter()  # stem -> articles of the window that have it
        self.documents = 0  # articles in the window
        # per day of article time: its articles' stem counts and ids, forgotten a day at a time
        self.days: dict[int, tuple[Counter[int], list[str]]] = {}
        self.postings: dict[int, set[str]] = {}  # stem -> open events whose centroid has it
        self.open: dict[str, None] = {}  # open event ids, in the order they opened
        self.watermark_us = 0
        self._swept_us = 0  # the watermark of the last sweep of open events

    def __len__(self) -> int:
        return len(self.events)

    def resolve(self, event_id: str) -> str:
        """The event an id now stands for (itself unless it was merged)."""
        while event_id in self.aliases:
            event_id = self.aliases[event_id]
        return event_id

    def event_of(self, doc_id: str) -> str | None:
        found = self.article_events.get(doc_id)
        return self.resolve(found) if found is not None else None

    def apply(
        self, doc_id: str, sketch: EventSketch, outlet: str | None, representative: str | None
    ) -> EventAssignment:
        """The event of article ``doc_id``; ``representative``: its story's first member if it is a copy."""
        known = self.event_of(doc_id)
        if known is not None:  # a re-delivery: no change, but its summary again (the first may be unwritten)
            return EventAssignment(known, 1.0, (self.events[known].summary(),))
        at = _micros(sketch.at)
        self._advance(at)
        self._count(doc_id, at, [term for term, _ in sketch.terms])
        absorbed: list[str] = []  # events merged away by this article
        copied = self.event_of(representative) if representative is not None else None
        if copied is not None and copied in self.events:
            event, score, vector = self.events[copied], 1.0, None
        else:
            vector = self._vector(sketch.terms)
            ranked = self._ranked(vector, sketch, at)
            if ranked and ranked[0][0] >= self.options.threshold:
                score, event = ranked[0][0], self.events[ranked[0][1]]
                for other in self._merge_candidates(event, ranked[1:]):
                    before = event.event_id
                    event = self._merge(event, other)
                    absorbed.append(other if event.event_id == before else before)
            else:
                score, event = 1.0, Event(doc_id, at, at)
                self.events[doc_id] = event
                self.open[doc_id] = None
        self._join(event, doc_id, sketch, outlet, at, vector)
        self.article_events[doc_id] = event.event_id
        changed = (event.summary(), *(self.events[m].summary() for m in absorbed))
        return EventAssignment(event.event_id, round(score, 4), changed)

    def _count(self, doc_id: str, at: int, stems: list[int]) -> None:
        """The article's stems into the document frequencies, under its day (forgotten with it)."""
        day_df, day_docs = self.days.setdefault(at // DAY_US, (Counter(), []))
        day_df.update(stems)
        day_docs.append(doc_id)
        self.df.update(stems)
        self.documents += 1

    # -- scoring -------------------------------------------------------------------------------

    def idf(self, stem: int) -> float:
        return math.log((self.documents + 1) / (self.df[stem] + 1)) + 1.0

    def _vector(self, terms: Iterable[tuple[int, int]]) -> dict[int, float]:
        weights = {stem: (1.0 + math.log(count)) * self.idf(stem) for stem, count in terms}
        norm = math.sqrt(sum(w * w for w in weights.values())) or 1.0
        return {stem: w / norm for stem, w in weights.items()}

    def _ranked(self, vector: Mapping[int, float], sketch: EventSketch, at: int) -> list[tuple[float, str]]:
        """Open events that share ``MIN_SHARED_TERMS`` of the article's heaviest terms, best first (ties: the
        oldest). Entities only add to the score: alone they never reach a useful threshold."""
        heaviest = sorted(vector.items(), key=lambda item: (-item[1], item[0]))[:QUERY_TERMS]
        hits: Counter[str] = Counter()
        for stem, _ in heaviest:
            hits.update(self.postings.get(stem, ()))
        candidates = [event_id for event_id, count in hits.items() if count >= MIN_SHARED_TERMS]
        span = self.options.span // timedelta(microseconds=1)
        gap = self.options.gap // timedelta(microseconds=1)
        ranked = []
        for event_id in candidates:
            event = self.events[event_id]
            if at - event.first_us > span or at - event.last_us > gap:
                continue
            shared = sum(1 for key in sketch.entities if key in event.entities)
            cosine = sum(w * event.centroid.get(t, 0.0) for t, w in vector.items()) / event.norm
            score = cosine + self.options.entity_weight * min(shared, MAX_SHARED_ENTITIES)
            ranked.append((score, event.first_us, event_id))
        ranked.sort(key=lambda item: (-item[0], item[1], item[2]))
        return [(score, event_id) for score, _, event_id in ranked]

    def _merge_candidates(self, event: Event, others: Sequence[tuple[float, str]]) -> list[str]:
        return [
            event_id
            for score, event_id in others
            if score >= self.options.threshold
            and _cosine(event.centroid, self.events[event_id].centroid) >= self.options.merge_threshold
        ]

    # -- changes -------------------------------------------------------------------------------

    def _join(
        self,
        event: Event,
        doc_id: str,
        sketch: EventSketch,
        outlet: str | None,
        at: int,
        vector: Mapping[int, float] | None,
    ) -> None:
        event.count += 1
        event.revision += 1
        event.first_us = min(event.first_us, at)
        event.last_us = max(event.last_us, at)
        if outlet:
            event.outlets[outlet] += 1
        event.entities.update(sketch.entities)
        event.tags.update(sketch.tags)
        if vector is None:  # a copy: counted, but one wire text must not outweigh the other wordings
            return
        event.titles.append((sketch.title, sketch.title_terms))
        for stem, weight in vector.items():
            event.centroid[stem] = event.centroid.get(stem, 0.0) + weight
        self._prune(event)

    def _prune(self, event: Event) -> None:
        if len(event.centroid) > CENTROID_TERMS:
            kept = sorted(event.centroid.items(), key=lambda item: (-item[1], item[0]))[:CENTROID_TERMS]
            for stem in event.centroid.keys() - dict(kept).keys():
                self._unpost(stem, event.event_id)
            event.centroid = dict(kept)
        event.norm = math.sqrt(sum(w * w for w in event.centroid.values())) or 1.0
        for stem in event.centroid:
            self.postings.setdefault(stem, set()).add(event.event_id)

    def _merge(self, survivor: Event, other_id: str) -> Event:
        """Merge two events: the larger survives (ties: the older); returns the survivor."""
        other = self.events[other_id]
        if (other.count, -other.first_us) > (survivor.count, -survivor.first_us):
            survivor, other = other, survivor
        for stem, weight in other.centroid.items():
            survivor.centroid[stem] = survivor.centroid.get(stem, 0.0) + weight
        survivor.entities.update(other.entities)
        survivor.tags.update(other.tags)
        survivor.outlets.update(other.outlets)
        survivor.titles.extend(other.titles)
        survivor.count += other.count
        survivor.first_us = min(survivor.first_us, other.first_us)
        survivor.last_us = max(survivor.last_us, other.last_us)
        survivor.merged_ids.extend([other.event_id, *other.merged_ids])
        survivor.revision += 1
        self._prune(survivor)
        self._close(other)
        other.merged_into = survivor.event_id
        other.revision += 1
        self.aliases[other.event_id] = survivor.event_id
        return survivor

    def _close(self, event: Event) -> None:
        """No longer a candidate (merged, idle for the gap or past its span): its words are dropped, its
        summary stays (with its label) for re-deliveries and merges to report."""
        self.open.pop(event.event_id, None)
        for stem in event.centroid:
            self._unpost(stem, event.event_id)
        event.titles = [(event.label(), ())]
        event.centroid = {}

    def _unpost(self, stem: int, event_id: str) -> None:
        posted = self.postings.get(stem)
        if posted is not None:
            posted.discard(event_id)
            if not posted:
                del self.postings[stem]

    def _advance(self, at: int) -> None:
        """Move the watermark; close idle or old events; forget what fell out of the window."""
        if at <= self.watermark_us:
            return
        self.watermark_us = at
        if at - self._swept_us < SWEEP_EVERY_US:
            return
        self._swept_us = at
        gap = self.options.gap // timedelta(microseconds=1)
        span = self.options.span // timedelta(microseconds=1)
        for event_id in list(self.open):
            event = self.events[event_id]
            if at - event.last_us > gap or at - event.first_us > span:
                self._close(event)
        horizon = at - self.options.window // timedelta(microseconds=1)
        for day in sorted(d for d in self.days if (d + 1) * DAY_US <= horizon):
            day_df, day_docs = self.days.pop(day)
            self.df.subtract(day_df)
            self.documents -= len(day_docs)
            for doc_id in day_docs:
                self.article_events.pop(doc_id, None)
            self.df = +self.df  # drop the zero counts
        for event_id in [e for e, event in self.events.items() if event.last_us < horizon]:
            event = self.events.pop(event_id)
            self._close(event)
            for alias in event.merged_ids:
                self.aliases.pop(alias, None)
            self.aliases.pop(event_id, None)

    # -- snapshots -----------------------------------------------------------------------------

    def state(self) -> dict[str, Any]:
        """Everything ``from_state`` needs, as JSON-able values (streams.dedup.snapshot)."""
        return {
            "events": [
                [
                    e.event_id,
                    e.first_us,
                    e.last_us,
                    list(e.centroid.items()),
                    list(e.entities.items()),
                    list(e.tags.items()),
                    list(e.outlets.items()),
                    [[title, list(stems)] for title, stems in e.titles],
                    e.count,
                    e.revision,
                    e.merged_ids,
                    e.merged_into,
                ]
                for e in self.events.values()
            ],
            "aliases": list(self.aliases.items()),
            "article_events": list(self.article_events.items()),
            "days": [[day, list(day_df.items()), day_docs] for day, (day_df, day_docs) in self.days.items()],
            "open": list(self.open),
            "watermark_us": self.watermark_us,
            "swept_us": self._swept_us,
        }

    @classmethod
    def from_state(cls, options: EventOptions, state: Mapping[str, Any]) -> EventIndex:
        index = cls(options)
        for row in state["events"]:
            event = Event(
                event_id=row[0],
                first_us=row[1],
                last_us=row[2],
                centroid={int(t): float(w) for t, w in row[3]},
                entities=Counter(dict(row[4])),
                tags=Counter(dict(row[5])),
                outlets=Counter(dict(row[6])),
                titles=[(title, tuple(stems)) for title, stems in row[7]],
                count=row[8],
                revision=row[9],
                merged_ids=list(row[10]),
                merged_into=row[11],
            )
            event.norm = math.sqrt(sum(w * w for w in event.centroid.values())) or 1.0
            index.events[event.event_id] = event
        index.aliases = dict(state["aliases"])
        index.article_events = dict(state["article_events"])
        for day, day_df, day_docs in state["days"]:
            index.days[day] = (Counter(dict(day_df)), list(day_docs))
            index.df.update(index.days[day][0])
            index.documents += len(day_docs)
        index.watermark_us = state["watermark_us"]
        index._swept_us = state["swept_us"]
        for event_id in state["open"]:
            event = index.events[event_id]
            index.open[event_id] = None
            for stem in event.centroid:
                index.postings.setdefault(stem, set()).add(event_id)
        return index
