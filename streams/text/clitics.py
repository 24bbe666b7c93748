"""Arabic proclitics: the letters written onto the front of a word, one vocabulary for every stage.

A word may carry a conjunction (و "and", ف "so"), then a preposition (ب "in/with", ل "for", ك "like"),
then the article ال. Every sequence is built here from those letters; each use takes the sequences it
needs (the gazetteer enters names with them, the recognizer's features and the spelling table strip
them, keyphrases drop them from a phrase's first word). The article after ل loses its alef: ل + الولايات
is written للولايات, so those sequences are listed apart (``ELIDED_ARTICLE``).
"""

from __future__ import annotations

from collections.abc import Iterable

CONJUNCTIONS = ("و", "ف")
PREPOSITIONS = ("ب", "ل", "ك")
ARTICLE = "ال"
LETTERS = (*CONJUNCTIONS, *PREPOSITIONS)
# a conjunction, a preposition, or both, in that order
PARTICLES = (*LETTERS, *(c + p for c in CONJUNCTIONS for p in PREPOSITIONS))
# particles followed by the article, written whole (وال, بال, وبال); not ل, see ELIDED_ARTICLE
WITH_ARTICLE = tuple(p + ARTICLE for p in PARTICLES if not p.endswith("ل"))
# ل (alone or after a conjunction) followed by the article, whose alef is not written: لل, ولل, فلل
ELIDED_ARTICLE = tuple(p + "ل" for p in PARTICLES if p.endswith("ل"))
ALL = (*PARTICLES, ARTICLE, *WITH_ARTICLE, *ELIDED_ARTICLE)


def longest_first(sequences: Iterable[str]) -> tuple[str, ...]:
    """``sequences`` without repeats, longest first, for a first-match ``startswith`` scan."""
    return tuple(sorted(dict.fromkeys(sequences), key=len, reverse=True))
