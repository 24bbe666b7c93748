"""Names learned at run time: a page tag that the article itself recognises as a person, organisation
or place becomes a dictionary entry, so later articles find that name even where the tagger misses it;
and aliases: a short form (a surname) that an article used for one full name, so a later article
that names the person only by the short form gets the same key.

Learning is its own step after enrichment (``NameDictionary.learn``): enrichers read a frozen view of
the names (``KnownNames``, taken once per batch), and what a batch teaches is learned from its enriched
records alone, so learning again from the same records in the same order gives the same dictionary.
The dictionary is plain data here; workers share what they learn through a compacted topic
(streams.kafka.shared_names) and ``newsflow process`` keeps it in memory across its inputs.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from streams.enrich.ner.gazetteer import Gazetteer
from streams.records import EnrichedArticle, Entity
from streams.text.normalize import matching_key

LEARNED_TYPES = {"PERSON": "PERSON", "ORG": "ORG", "LOCATION": "LOCATION"}


@dataclass(frozen=True, slots=True)
class Alias:
    """What a short form stands for: the full name's key and label; both empty once the short form
    was seen standing for two different names (then it is left alone)."""

    full_key: str
    label: str


AMBIGUOUS = Alias("", "")


@dataclass(frozen=True, slots=True)
class KnownNames:
    """What enrichers see of the dictionary during one batch: the learned names as a gazetteer and the
    aliases; never changed while the batch is enriched."""

    gazetteer: Gazetteer | None = None
    aliases: Mapping[str, Alias] = field(default_factory=dict)


NO_NAMES = KnownNames()


def alias_pairs(entities: Sequence[Entity]) -> dict[str, tuple[str, str]]:
    """Short forms an article used for a full name it also gives: short key -> (full key, label). A
    short form joined to its full name keeps its text, so the text's key is the short one."""
    full = {e.key for e in entities if e.type == "PERSON" and len(e.key.split()) >= 2}
    pairs: dict[str, tuple[str, str]] = {}
    for entity in entities:
        short = matching_key(entity.text)
        joined = entity.type == "PERSON" and entity.key in full and short != entity.key and short not in full
        if joined and not entity.found_by.startswith("alias:"):  # alias:*: a bare surname found through it
            pairs.setdefault(short, (entity.key, entity.label))
    return pairs


class NameDictionary:
    def __init__(self, names: Mapping[str, str] | None = None, aliases: Mapping[str, Alias] | None = None) -> None:
        self._names: dict[str, str] = dict(names or {})
        self._aliases: dict[str, Alias] = dict(aliases or {})
        self._gazetteer: Gazetteer | None = None
        self._learned: dict[str, str] = {}
        self._learned_aliases: dict[str, Alias] = {}

    @property
    def aliases(self) -> Mapping[str, Alias]:
        return self._aliases

    def note_alias(self, short_key: str, full_key: str, label: str) -> None:
        """An article used ``short_key`` for the full name ``full_key``."""
        current = self._aliases.get(short_key)
        if current is not None and current.full_key in ("", full_key):
            return
        alias = Alias(full_key, label) if current is None else AMBIGUOUS
        self._aliases[short_key] = alias
        self._learned_aliases[short_key] = alias

    def update_aliases(self, aliases: Iterable[tuple[str, Alias]]) -> None:
        """Merge aliases other workers learned, in the order they were shared; two different full names
        make the short form ambiguous."""
        for short_key, alias in aliases:
            current = self._aliases.get(short_key)
            if current is None or alias == AMBIGUOUS:
                self._aliases[short_key] = alias
            elif current.full_key and current.full_key != alias.full_key:
                self._aliases[short_key] = AMBIGUOUS

    def drain_learned_aliases(self) -> dict[str, Alias]:
        """What ``note_alias`` added or changed since the last call (for the worker to publish)."""
        learned, self._learned_aliases = self._learned_aliases, {}
        return learned

    def __len__(self) -> int:
        return len(self._names)

    def copy(self) -> NameDictionary:
        """The names and aliases, in a dictionary of their own (nothing learned yet)."""
        return NameDictionary(self._names, self._aliases)

    def update(self, names: Mapping[str, str]) -> None:
        """Merge names (matching key -> entity type), e.g. what other workers learned."""
        fresh = {k: v for k, v in names.items() if self._names.get(k) != v}
        if fresh:
            self._names.update(fresh)
            self._gazetteer = None

    def gazetteer(self) -> Gazetteer | None:
        if self._gazetteer is None and self._names:
            self._gazetteer = Gazetteer((kind, name) for name, kind in self._names.items())
        return self._gazetteer

    def known(self) -> KnownNames:
        """A frozen view for enrichers (the aliases copied: learning goes on after the batch)."""
        return KnownNames(self.gazetteer(), dict(self._aliases))

    def learn_aliases(self, entities: Sequence[Entity]) -> None:
        """The short forms an article's entities used for full names (``alias_pairs``)."""
        for short, (full_key, label) in alias_pairs(entities).items():
            self.note_alias(short, full_key, label)

    def learn(self, enriched: EnrichedArticle) -> dict[str, str]:
        """Learn from one enriched article: its page tags that are recognised entities and not known yet
        (returned), and the short forms it used for full names."""
        self.learn_aliases(enriched.entities)
        kinds = {e.key: LEARNED_TYPES[e.type] for e in enriched.entities if e.type in LEARNED_TYPES}
        learned = {
            tag.key: kinds[tag.key]
            for tag in enriched.tags
            if tag.kind == "page" and tag.key in kinds and tag.key not in self._names
        }
        self.update(learned)
        self._learned.update(learned)
        return learned

    def drain_learned(self) -> dict[str, str]:
        """What ``learn`` added since the last call (for the worker to publish)."""
        learned, self._learned = self._learned, {}
        return learned
