"""The matching key: one normalization shared by entity lookup, tag deduplication, duplicate detection
and search (documents and queries). Display text keeps its original characters; the key is what
spellings of one word share. The key is never longer than its input, and ``key_with_offsets`` maps
every key character back to the display text, so matches on the key have display offsets.

Lucene's ``ArabicNormalizer`` rules (the baseline the differential test checks against):

- L1. alef with madda above, hamza above, hamza below (آ أ إ) -> bare alef ا
- L2. alef maksura ى -> yeh ي
- L3. teh marbuta ة -> heh ه
- L4. delete tatweel U+0640 and the harakat U+064B-U+0652

Extra rules, for what real feeds carry:

- X1. alef wasla ٱ -> ا
- X2. delete superscript alef U+0670 and the combining maddah/hamza U+0653-U+0655 (so decomposed
  ``ا + ٔ`` matches ``أ``)
- X3. Persian and Urdu letters: yeh ی U+06CC, ې U+06D0, ێ U+06CE, yeh barree ے U+06D2 and ۓ U+06D3 -> ي;
  keheh ک U+06A9 -> ك; heh goal ہ U+06C1, heh doachashmee ھ U+06BE, ۀ U+06C0 and ae ە U+06D5 -> ه
- X4. Arabic presentation forms (U+FB50-U+FDFF, U+FE70-U+FEFF) -> their base letters, when that is one
  character; isolated harakat forms are deleted like the harakat. Ligatures that stand for several
  letters (lam-alef ﻻ, ﷲ) are left as they are, which keeps the key no longer than the input.
- X5. Arabic-Indic and extended (Persian/Urdu) digits -> ASCII digits; Arabic comma, semicolon,
  question mark, percent and decimal/thousands separators -> their ASCII counterparts
- X6. delete zero-width and bidi controls (ZWSP, ZWNJ, ZWJ, LRM, RLM, ALM, embeddings, overrides,
  isolates, BOM) and the noncharacters U+FFFE/U+FFFF
- X7. lower-case, character by character (one-to-one mappings only; dotted capital I -> i), so
  nothing lengthens and the result does not depend on context
- X8. runs of whitespace -> one space; leading and trailing whitespace removed
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import numpy as np

LUCENE_FOLD = {0x0622: "ا", 0x0623: "ا", 0x0625: "ا", 0x0649: "ي", 0x0629: "ه"}
LUCENE_DELETE = frozenset({0x0640, *range(0x064B, 0x0653)})

_EXTRA_FOLD = {
    0x0671: "ا",
    **dict.fromkeys((0x06CC, 0x06D0, 0x06CE, 0x06D2, 0x06D3), "ي"),
    0x06A9: "ك",
    **dict.fromkeys((0x06C1, 0x06BE, 0x06C0, 0x06D5), "ه"),
    **{0x0660 + d: str(d) for d in range(10)},
    **{0x06F0 + d: str(d) for d in range(10)},
    0x060C: ",",
    0x061B: ";",
    0x061F: "?",
    0x066A: "%",
    0x066B: ".",
    0x066C: ",",
    0x0130: "i",
}
_EXTRA_DELETE = frozenset(
    {
        0x0670,
        0x0653,
        0x0654,
        0x0655,
        0x200B,
        0x200C,
        0x200D,
        0x200E,
        0x200F,
        0x061C,
        0xFEFF,
        0xFFFE,
        0xFFFF,  # also the sentinel for deleted characters in key_with_offsets
        *range(0x202A, 0x202F),
        *range(0x2066, 0x206A),
    }
)
_BASE: dict[int, str | None] = {
    **dict.fromkeys(LUCENE_DELETE | _EXTRA_DELETE),
    **LUCENE_FOLD,
    **_EXTRA_FOLD,
}


def _presentation_forms() -> dict[int, str | None]:
    table: dict[int, str | None] = {}
    for cp in (*range(0xFB50, 0xFE00), *range(0xFE70, 0xFEFF)):
        base = unicodedata.normalize("NFKC", chr(cp)).translate(_BASE).strip()
        if chr(cp) != base and len(base) <= 1:
            table[cp] = base or None
    return table


def _lowercase() -> dict[int, str]:
    """Single-character lower-case mappings (str.lower() would lengthen a few, and is context-sensitive)."""
    table = {}
    for cp in range(0x30000):
        lower = chr(cp).lower()
        if lower != chr(cp) and len(lower) == 1:
            table[cp] = lower
    return table


_TABLE: dict[int, str | None] = {**_lowercase(), **_presentation_forms(), **_BASE}
_DELETED = "\uffff"  # stands for a deleted character in the length-preserving table below


def _length_preserving(table: dict[int, str | None]) -> dict[int, str]:
    """The key's table with deletions as _DELETED and every whitespace character as a space."""
    preserving = {cp: _DELETED if value is None else value for cp, value in table.items()}
    preserving.update({cp: " " for cp in range(0x30000) if chr(cp).isspace()})
    return preserving


_PRESERVING = _length_preserving(_TABLE)
WORD_KEYS_CACHED = 200_000
_SPACES = re.compile(r"\s+")
_WORD = re.compile(r"\w+")


def matching_key_table() -> dict[int, str | None]:
    """What the key makes of each character it changes: one character (whitespace becomes a space, whose
    runs the key then collapses and strips) or None (deleted). The analysis plugin is built from it."""
    return {cp: None if value == _DELETED else value for cp, value in _PRESERVING.items()}


def matching_key(text: str) -> str:
    """The normalized key of ``text``: idempotent and never longer than ``text``."""
    return _SPACES.sub(" ", text.translate(_TABLE)).strip()


@lru_cache(maxsize=WORD_KEYS_CACHED)
def word_key(word: str) -> str:
    """``matching_key`` of one word, remembered: news text repeats its words, and the taggers, the span
    review and the name resolution key every word of every sentence."""
    return matching_key(word)


def key_tokens(text: str) -> list[str]:
    """Word tokens of the matching key (punctuation dropped)."""
    return _WORD.findall(matching_key(text))


def key_with_offsets(text: str) -> tuple[str, list[int]]:
    """The matching key and, for each of its characters, the index of the display character it came from."""
    codes = np.frombuffer(text.translate(_PRESERVING).encode("utf-32-le"), dtype="<u4")
    kept = np.flatnonzero(codes != ord(_DELETED))
    chars = codes[kept]
    spaces = chars == ord(" ")
    # a space stays only after a character that is not one: runs collapse, leading spaces go
    after_space = np.concatenate([[True], spaces[:-1]])
    chosen = ~(spaces & after_space)
    chars, kept = chars[chosen], kept[chosen]
    if chars.size and chars[-1] == ord(" "):
        chars, kept = chars[:-1], kept[:-1]
    return chars.tobytes().decode("utf-32-le"), kept.tolist()
