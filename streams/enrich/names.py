"""Names learned at run time: a page tag that the article itself recognises as a person, organisation
or place becomes a dictionary entry, so later articles find that name even where the CRF misses it.

The dictionary is plain data here; the worker keeps it in a Faust GlobalTable (changelog-backed, read
by every worker) and ``newsflow process`` keeps it in memory across its inputs.
"""

from __future__ import annotations

from collections.abc import Mapping

from streams.enrich.ner.gazetteer import Gazetteer
from streams.records import EnrichedArticle

LEARNED_TYPES = {"PERSON": "PERSON", "ORG": "ORG", "LOCATION": "LOCATION"}


class NameDictionary:
    def __init__(self, names: Mapping[str, str] | None = None) -> None:
        self._names: dict[str, str] = dict(names or {})
        self._gazetteer: Gazetteer | None = None
        self._learned: dict[str, str] = {}

    def __len__(self) -> int:
        return len(self._names)

    def update(self, names: Mapping[str, str]) -> None:
        """Merge names (canonical form -> entity type), e.g. what other workers learned."""
        fresh = {k: v for k, v in names.items() if self._names.get(k) != v}
        if fresh:
            self._names.update(fresh)
            self._gazetteer = None

    def gazetteer(self) -> Gazetteer | None:
        if self._gazetteer is None and self._names:
            self._gazetteer = Gazetteer((kind, name) for name, kind in self._names.items())
        return self._gazetteer

    def learn(self, enriched: EnrichedArticle) -> dict[str, str]:
        """Page tags of this article that are recognised entities and not known yet; they are added."""
        kinds = {e.canonical: LEARNED_TYPES[e.type] for e in enriched.entities if e.type in LEARNED_TYPES}
        learned = {
            tag.canonical: kinds[tag.canonical]
            for tag in enriched.tags
            if tag.kind == "page" and tag.canonical in kinds and tag.canonical not in self._names
        }
        self.update(learned)
        self._learned.update(learned)
        return learned

    def drain_learned(self) -> dict[str, str]:
        """What ``learn`` added since the last call (for the worker to publish to its table)."""
        learned, self._learned = self._learned, {}
        return learned
