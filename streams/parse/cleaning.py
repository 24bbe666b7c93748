"""Display-text cleaning: what may not reach a reader or an index, whatever the source sent.

Removes C0 and C1 control characters (keeping newline and tab), bidi embeddings, overrides and
isolates (U+202A-U+202E, U+2066-U+2069: they can reorder what a reader sees), and the BOM; folds
CR/CRLF line ends. Letters, marks, ZWJ/ZWNJ and LRM/RLM, which real Arabic and Persian text needs for
display, stay; the matching key drops them separately.
"""

from __future__ import annotations

import re

_UNSAFE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ufeff]")


def clean_text(text: str) -> tuple[str, bool]:
    """The cleaned text and whether anything was removed."""
    unified = text.replace("\r\n", "\n").replace("\r", "\n")
    cleaned = _UNSAFE.sub("", unified)
    return cleaned, len(cleaned) != len(unified)
