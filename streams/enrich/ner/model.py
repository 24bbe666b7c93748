"""Entity recognition on display text: the CRF (trained on ANERcorp, see train.py) plus gazetteer
matches it missed, with display offsets (streams.enrich.mentions then trims proclitics, labels the
names and joins short forms to the full names they abbreviate).

The model files live in ``data/`` and are rebuilt by ``newsflow train ner``; they are an adaptation of
ANERcorp (CC BY-SA 4.0): see ``data/ATTRIBUTION.md``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pycrfsuite

from streams.enrich.ner.conll import spans
from streams.enrich.ner.features import sentence_features
from streams.enrich.ner.gazetteer import Gazetteer, default_gazetteer
from streams.records import Entity, EntityType
from streams.text.normalize import key_with_offsets, matching_key

DATA = Path(__file__).resolve().parent / "data"
MODEL_PATH = DATA / "anercorp.crfsuite"
CLUSTERS_PATH = DATA / "clusters.tsv"
TOKEN = re.compile(r"\w+(?:[.\-]\w+)*|[^\w\s]")
CRF_TYPES: dict[str, EntityType] = {"PERS": "PERSON", "LOC": "LOCATION", "ORG": "ORG", "MISC": "MISC"}
GAZETTEER_TYPES: dict[str, EntityType] = {"LOCATION": "LOCATION", "ORG": "ORG", "PERSON": "PERSON"}
MAX_SENTENCE_TOKENS = 120


@dataclass(frozen=True, slots=True)
class Token:
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


def load_clusters(path: Path = CLUSTERS_PATH) -> dict[str, str]:
    if not path.exists():
        return {}
    with path.open(encoding="utf-8") as handle:
        return dict(line.rstrip("\n").split("\t", 1) for line in handle if "\t" in line)


class EntityRecognizer:
    def __init__(self, model: Path, gazetteer: Gazetteer, clusters: Mapping[str, str]) -> None:
        self._tagger = pycrfsuite.Tagger()
        self._tagger.open(str(model))
        self.gazetteer = gazetteer
        self.clusters = clusters

    def tag(self, tokens: Sequence[str]) -> list[str]:
        tags: list[str] = self._tagger.tag(sentence_features(tokens, self.gazetteer, self.clusters))
        return tags

    def entities(self, text: str, part: str = "body", learned: Gazetteer | None = None) -> list[Entity]:
        """Entities of ``text`` with offsets into it: the CRF's, then the gazetteer's and the learned
        names' (``learned``, see streams.enrich.names) where they do not overlap what was found."""
        found: list[Entity] = []
        for sentence in sentences(tokenize(text)):
            for start, end, kind in sorted(spans(self.tag([t.text for t in sentence]))):
                begin, finish = sentence[start].start, sentence[end - 1].end
                mention = text[begin:finish]
                kind_of = CRF_TYPES.get(kind, "MISC")
                found.append(Entity(mention, kind_of, begin, finish, matching_key(mention), mention, f"crf:{part}"))
        key, offsets = key_with_offsets(text)
        for origin, gazetteer in (("gazetteer", self.gazetteer), ("names", learned)):
            for match in gazetteer.find(key) if gazetteer is not None else []:
                listed = GAZETTEER_TYPES.get(match.kind)
                begin, finish = offsets[match.start], offsets[match.end - 1] + 1
                if listed is None or any(begin < e.end and e.start < finish for e in found):
                    continue
                mention = text[begin:finish]
                found.append(Entity(mention, listed, begin, finish, match.key, mention, f"{origin}:{part}"))
        return sorted(found, key=lambda e: e.start)


@cache
def default_recognizer() -> EntityRecognizer:
    return EntityRecognizer(MODEL_PATH, default_gazetteer(), load_clusters())
