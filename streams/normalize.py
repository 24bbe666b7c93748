"""The matching key: one normalization shared by tag deduplication, search and (later) entities.

Displayed text keeps its original characters; the key is what two spellings of one word share.
Rules, in order:

1. Unicode NFKC, which folds Arabic presentation forms (U+FB50-U+FEFF) to their base letters.
2. Delete format and bidi controls (ZWJ, ZWNJ, LRM, RLM, embeddings, isolates, BOM).
3. Delete tatweel/kashida U+0640, harakat U+064B-U+0652 and superscript alef U+0670.
4. Fold letters: alef with madda/hamza above/hamza below and alef wasla -> bare alef; alef maksura,
   Persian yeh U+06CC and Urdu yeh U+06D2 -> yeh; teh marbuta -> heh; keheh U+06A9 -> kaf.
5. Arabic-Indic and Persian digits -> ASCII digits.
6. Lowercase (for Latin text), then fold runs of whitespace to one space.

Rules 3-4's first half (آ أ إ -> ا, ى -> ي, ة -> ه, tatweel and U+064B-U+0652 deleted) are exactly
Lucene's ArabicNormalizer; the rest are extras that real feeds need.
"""

from __future__ import annotations

import re
import unicodedata

_DELETE = {
    **{cp: None for cp in range(0x064B, 0x0653)},
    0x0640: None,  # tatweel
    0x0670: None,  # superscript alef
    **{cp: None for cp in (0x200B, 0x200C, 0x200D, 0x200E, 0x200F, 0x061C, 0xFEFF)},
    **{cp: None for cp in range(0x202A, 0x202F)},
    **{cp: None for cp in range(0x2066, 0x206A)},
}
_FOLD = {
    0x0622: "ا",  # alef with madda above
    0x0623: "ا",  # alef with hamza above
    0x0625: "ا",  # alef with hamza below
    0x0671: "ا",  # alef wasla
    0x0649: "ي",  # alef maksura
    0x06CC: "ي",  # Farsi yeh
    0x06D2: "ي",  # yeh barree
    0x0629: "ه",  # teh marbuta
    0x06A9: "ك",  # keheh
    **{0x0660 + d: str(d) for d in range(10)},  # Arabic-Indic digits
    **{0x06F0 + d: str(d) for d in range(10)},  # Extended Arabic-Indic (Persian) digits
}
_TABLE = {**_DELETE, **_FOLD}
_SPACES = re.compile(r"\s+")
_WORD = re.compile(r"\w+")


def matching_key(text: str) -> str:
    """The normalized key of ``text`` (idempotent; see the module docstring for the rules)."""
    folded = unicodedata.normalize("NFKC", text).translate(_TABLE).lower()
    return _SPACES.sub(" ", folded).strip()


def key_tokens(text: str) -> list[str]:
    """Word tokens of the matching key (punctuation dropped)."""
    return _WORD.findall(matching_key(text))
