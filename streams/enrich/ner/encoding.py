"""What the tagger reads of a token: the ids of its word, characters, proclitics, shape and gazetteer
mark. One encoding serves training (streams.enrich.ner.train) and inference (streams.enrich.ner.network),
so the two cannot drift apart.

- word: Arabic tokens are looked up by their clitic-stripped stem (``والأردن`` -> ``اردن``), so every clitic
  form of a name shares the stem's pretrained vector; English tokens by their lower-cased form.
- characters: the matching key of the token (Arabic: proclitics included, so the character layer sees
  them; English: the token as written, since capitals carry most of the signal), digits folded to 0.
- shape: digit, punctuation, Latin casing (upper, title, lower, mixed) or Arabic script.
- gazetteer mark: B-/I- plus the kind of a gazetteer name the token is in.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import numpy.typing as npt

from streams.enrich.ner.gazetteer import Gazetteer
from streams.text.clitics import ALL, longest_first
from streams.text.normalize import word_key

PAD, UNKNOWN = 0, 1  # ids every vocabulary reserves
MAX_CHARS = 16  # characters of a token the character layer reads (names are shorter)
# The pretrained stems were split with every proclitic but these (a word such as وكالة is far more often
# a word than و + ك + الة); `newsflow train ner` rebuilds the vectors after a change here.
_KEPT_WHOLE = frozenset({"وك", "فك", "وكال", "فبال", "فكال", "ولل", "فلل"})
_PROCLITICS = longest_first(p for p in ALL if p not in _KEPT_WHOLE)
_DIGIT = re.compile(r"\d")
_LATIN = re.compile(r"[A-Za-z]")
_ALNUM = re.compile(r"\w")


def split_clitics(key: str) -> tuple[str, str]:
    """(proclitics, stem) of a normalized token; only strips when a plausible stem (3+ letters) remains."""
    for clitic in _PROCLITICS:
        if key.startswith(clitic) and len(key) - len(clitic) >= 3:
            return clitic, key[len(clitic) :]
    return "", key


def shape(token: str) -> str:
    if token.isdigit():
        return "digit"
    if not _ALNUM.search(token):
        return "punct"
    if _DIGIT.search(token):
        return "has-digit"
    if _LATIN.search(token):
        if token.isupper():
            return "upper"
        if token[:1].isupper():
            return "title"
        return "lower" if token.islower() else "mixed"
    return "arabic"


@dataclass(frozen=True, slots=True)
class TokenParts:
    word: str  # the embedding lookup
    chars: str  # what the character layer reads
    clitic: str
    shape: str
    key: str  # the matching key (gazetteer lookups)


@lru_cache(maxsize=200_000)
def token_parts(token: str, language: str) -> TokenParts:
    """The strings the tagger reads of one token (cached: tokens repeat)."""
    key = word_key(token) or token
    if language == "ar":
        clitic, stem = split_clitics(key)
        return TokenParts(stem, _DIGIT.sub("0", key), clitic, shape(token), key)
    return TokenParts(_DIGIT.sub("0", key), _DIGIT.sub("0", token), "", shape(token), key)


def gazetteer_marks(keys: Sequence[str], gazetteer: Gazetteer) -> list[str]:
    """B-KIND / I-KIND for tokens inside a gazetteer match, "" elsewhere."""
    starts, position = [], 0
    for key in keys:
        starts.append(position)
        position += len(key) + 1
    marks = [""] * len(keys)
    for match in gazetteer.find(" ".join(keys)):
        inside = [i for i, start in enumerate(starts) if match.start <= start < match.end]
        for n, i in enumerate(inside):
            marks[i] = ("B-" if n == 0 else "I-") + match.kind
    return marks


class Vocabulary:
    """Strings to ids; id 0 pads, id 1 stands for anything unseen."""

    def __init__(self, items: Iterable[str]) -> None:
        self.items: list[str] = ["<pad>", "<unk>"]
        self.ids: dict[str, int] = {}
        for item in items:
            if item not in self.ids and item not in ("<pad>", "<unk>"):
                self.ids[item] = len(self.items)
                self.items.append(item)

    def __len__(self) -> int:
        return len(self.items)

    def id(self, item: str) -> int:
        return self.ids.get(item, UNKNOWN)


@dataclass(frozen=True, slots=True)
class Vocabularies:
    words: Vocabulary
    chars: Vocabulary
    clitics: Vocabulary
    shapes: Vocabulary
    marks: Vocabulary
    tags: tuple[str, ...]  # output tags, index = the network's output column

    def as_arrays(self) -> dict[str, npt.NDArray[np.str_]]:
        return {
            f"vocabulary_{name}": np.array(getattr(self, name).items[2:], dtype=np.str_)
            for name in ("words", "chars", "clitics", "shapes", "marks")
        } | {"vocabulary_tags": np.array(self.tags, dtype=np.str_)}

    @classmethod
    def from_arrays(cls, arrays: Mapping[str, npt.NDArray[np.str_]]) -> Vocabularies:
        def vocabulary(name: str) -> Vocabulary:
            return Vocabulary(str(item) for item in arrays[f"vocabulary_{name}"])

        return cls(
            vocabulary("words"),
            vocabulary("chars"),
            vocabulary("clitics"),
            vocabulary("shapes"),
            vocabulary("marks"),
            tuple(str(t) for t in arrays["vocabulary_tags"]),
        )


@dataclass(frozen=True, slots=True)
class EncodedSentence:
    tokens: npt.NDArray[np.int64]  # (tokens,) one number per distinct token string of the encoder
    words: npt.NDArray[np.int32]  # (tokens,)
    chars: npt.NDArray[np.int32]  # (tokens, MAX_CHARS)
    clitics: npt.NDArray[np.int32]
    shapes: npt.NDArray[np.int32]
    marks: npt.NDArray[np.int32]

    def __len__(self) -> int:
        return len(self.words)


class Encoder:
    """Encodes sentences of one language for one set of vocabularies; a token's ids are computed once
    (tokens repeat: a few thousand distinct words make most of any news text)."""

    MAX_CACHED = 200_000

    def __init__(self, vocabularies: Vocabularies, language: str, gazetteer: Gazetteer | None) -> None:
        self.vocabularies = vocabularies
        self.language = language
        self.gazetteer = gazetteer
        self._tokens: dict[str, tuple[int, int, int, npt.NDArray[np.int32], str, int]] = {}
        self._numbered = 0  # token numbers keep counting when the cache is cleared, so they stay distinct

    def _token(self, token: str) -> tuple[int, int, int, npt.NDArray[np.int32], str, int]:
        known = self._tokens.get(token)
        if known is not None:
            return known
        if len(self._tokens) >= self.MAX_CACHED:
            self._tokens.clear()
        self._numbered += 1
        parts = token_parts(token, self.language)
        v = self.vocabularies
        chars = np.zeros(MAX_CHARS, dtype=np.int32)
        ids = [v.chars.id(c) for c in parts.chars[:MAX_CHARS]]
        chars[: len(ids)] = ids
        word = v.words.ids.get(parts.word, v.words.ids.get(parts.key, UNKNOWN))
        known = (word, v.clitics.id(parts.clitic), v.shapes.id(parts.shape), chars, parts.key, self._numbered)
        self._tokens[token] = known
        return known

    def encode(self, tokens: Sequence[str]) -> EncodedSentence:
        ids = [self._token(t) for t in tokens]
        keys = [i[4] for i in ids]
        marks = gazetteer_marks(keys, self.gazetteer) if self.gazetteer is not None else [""] * len(ids)
        return EncodedSentence(
            np.array([i[5] for i in ids], dtype=np.int64),
            np.array([i[0] for i in ids], dtype=np.int32),
            np.stack([i[3] for i in ids]) if ids else np.zeros((0, MAX_CHARS), dtype=np.int32),
            np.array([i[1] for i in ids], dtype=np.int32),
            np.array([i[2] for i in ids], dtype=np.int32),
            np.array([self.vocabularies.marks.id(m) for m in marks], dtype=np.int32),
        )


def concatenated(sentences: Sequence[EncodedSentence]) -> EncodedSentence:
    """All tokens of ``sentences`` as one sequence."""
    return EncodedSentence(
        *(np.concatenate([getattr(s, name) for s in sentences]) for name in EncodedSentence.__slots__)
    )


@dataclass(frozen=True, slots=True)
class Batch:
    """Sentences padded to one length: every array is (sentences, length[, MAX_CHARS])."""

    tokens: npt.NDArray[np.int64]
    words: npt.NDArray[np.int32]
    chars: npt.NDArray[np.int32]
    clitics: npt.NDArray[np.int32]
    shapes: npt.NDArray[np.int32]
    marks: npt.NDArray[np.int32]
    lengths: npt.NDArray[np.int32]


def pad(sentences: Sequence[EncodedSentence], length: int | None = None, size: int | None = None) -> Batch:
    """One batch of ``sentences``, padded to ``length`` tokens and ``size`` sentences (default: the longest
    and the count; training pads to a few fixed shapes so the compiled step is reused)."""
    length = length or max((len(s) for s in sentences), default=1)
    size = size or len(sentences)
    arrays = {name: np.zeros((size, length), dtype=np.int32) for name in ("words", "clitics", "shapes", "marks")}
    tokens = np.zeros((size, length), dtype=np.int64)
    chars = np.zeros((size, length, MAX_CHARS), dtype=np.int32)
    lengths = np.zeros(size, dtype=np.int32)
    for row, sentence in enumerate(sentences):
        n = len(sentence)
        lengths[row] = n
        chars[row, :n] = sentence.chars
        tokens[row, :n] = sentence.tokens
        for name, array in arrays.items():
            array[row, :n] = getattr(sentence, name)
    return Batch(tokens, arrays["words"], chars, arrays["clitics"], arrays["shapes"], arrays["marks"], lengths)
