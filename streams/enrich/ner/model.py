"""Entity recognition on display text: a language's tagger (streams.enrich.ner.network) over every
sentence of an article's texts at once, a second look at each span (streams.enrich.ner.review), then
gazetteer matches it missed, with display offsets (streams.enrich.mentions then trims proclitics,
labels the names and joins short forms to the full names they abbreviate).

The model files live in ``data/`` and are rebuilt by ``newsflow train ner``; the Arabic one is an
adaptation of ANERcorp (CC BY-SA 4.0): see ``data/ATTRIBUTION.md``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from functools import cache
from pathlib import Path
from typing import NamedTuple

from streams.enrich.ner.conll import spans
from streams.enrich.ner.encoding import Encoder
from streams.enrich.ner.gazetteer import Gazetteer, default_gazetteer
from streams.enrich.ner.network import Tagger
from streams.enrich.ner.review import Span, reviewed
from streams.records import Entity, EntityType
from streams.text.normalize import key_with_offsets, matching_key

DATA = Path(__file__).resolve().parent / "data"
MODEL_PATHS = {"ar": DATA / "tagger-ar.npz", "en": DATA / "tagger-en.npz"}
TOKEN = re.compile(r"\w+(?:[.\-'’]\w+)*|[^\w\s]")
TAGGER_TYPES: dict[str, EntityType] = {"PERS": "PERSON", "LOC": "LOCATION", "ORG": "ORG", "MISC": "MISC"}
GAZETTEER_TYPES: dict[str, EntityType] = {"LOCATION": "LOCATION", "ORG": "ORG", "PERSON": "PERSON"}
MAX_SENTENCE_TOKENS = 120


class Token(NamedTuple):  # a tuple: an article has thousands, made in one pass
    text: str
    start: int
    end: int


def tokenize(text: str) -> list[Token]:
    return [Token(m.group(0), m.start(), m.end()) for m in TOKEN.finditer(text)]


def sentences(tokens: list[Token]) -> list[list[Token]]:
    """Token runs split after sentence-final punctuation (and at most MAX_SENTENCE_TOKENS long)."""
    result: list[list[Token]] = [[]]
    for token in tokens:
        result[-1].append(token)
        if token.text in {".", "!", "?", "؟"} or len(result[-1]) >= MAX_SENTENCE_TOKENS:
            result.append([])
    return [s for s in result if s]


class EntityRecognizer:
    def __init__(self, tagger: Tagger, language: str, gazetteer: Gazetteer) -> None:
        self.tagger = tagger
        self.language = language
        self.gazetteer = gazetteer
        self.encoder = Encoder(tagger.vocabularies, language, gazetteer)

    def tag(self, token_lists: Sequence[Sequence[str]]) -> list[list[str]]:
        """BIO tags of each token list, all tagged in one batched pass."""
        return self.tagger.tag([self.encoder.encode(t) for t in token_lists])

    def tagged(self, articles: Sequence[Mapping[str, str]]) -> list[list[Entity]]:
        """The tagger's entities of each article's texts (``part`` -> text), after review, with offsets
        into those texts; every sentence of every article is tagged in one batched pass."""
        runs = [
            (n, part, sentence)
            for n, texts in enumerate(articles)
            for part, text in texts.items()
            for sentence in sentences(tokenize(text))
        ]
        tagged = self.tag([[t.text for t in sentence] for _, _, sentence in runs])
        found: list[list[Entity]] = [[] for _ in articles]
        for (n, part, sentence), tags in zip(runs, tagged, strict=True):
            words = [t.text for t in sentence]
            candidates = [Span(start, end, kind) for start, end, kind in sorted(spans(tags))]
            for span in reviewed(words, candidates, self.language, self.gazetteer):
                begin, finish = sentence[span.start].start, sentence[span.end - 1].end
                mention = articles[n][part][begin:finish]
                kind_of = TAGGER_TYPES.get(span.kind, "MISC")
                found[n].append(
                    Entity(mention, kind_of, begin, finish, matching_key(mention), mention, f"model:{part}")
                )
        return found

    def with_listed(
        self, texts: Mapping[str, str], tagged: Sequence[Entity], learned: Gazetteer | None = None
    ) -> list[Entity]:
        """``tagged`` (this article's entities from ``tagged``) plus the gazetteer's and the learned names'
        (``learned``, see streams.enrich.names) where they do not overlap what was found."""
        result: list[Entity] = []
        for part, text in texts.items():
            found = [e for e in tagged if e.found_by == f"model:{part}"]
            key, offsets = key_with_offsets(text)
            for origin, gazetteer in (("gazetteer", self.gazetteer), ("names", learned)):
                for match in gazetteer.find(key) if gazetteer is not None else []:
                    listed = GAZETTEER_TYPES.get(match.kind)
                    begin, finish = offsets[match.start], offsets[match.end - 1] + 1
                    if listed is None or any(begin < e.end and e.start < finish for e in found):
                        continue
                    mention = text[begin:finish]
                    found.append(Entity(mention, listed, begin, finish, match.key, mention, f"{origin}:{part}"))
            result += sorted(found, key=lambda e: e.start)
        return result

    def entities(self, texts: Mapping[str, str], learned: Gazetteer | None = None) -> list[Entity]:
        """All entities of one article's texts."""
        return self.with_listed(texts, self.tagged([texts])[0], learned)


@cache
def default_recognizer(language: str) -> EntityRecognizer:
    """The shipped tagger of ``language`` (``ar`` or ``en``), loaded once."""
    return EntityRecognizer(Tagger.load(MODEL_PATHS[language]), language, default_gazetteer())
