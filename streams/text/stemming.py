"""Light stemming for search, applied alike to documents (the ``title_stem``/``body_stem`` fields) and
to queries, on matching-key tokens (streams.text.normalize), so ``للولايات``, ``بالولايات`` and ``الولايات``
share a stem.

- Arabic script: the light10 rules in the form Lucene's ``ArabicStemmer`` applies them (the stemmer of
  Elasticsearch's ``arabic`` analyzer on a full cluster), on the key, where ة and ى are already ه and ي:
  strip the first of the prefixes ال وال بال كال فال لل و that fits, keeping at least two letters
  (three after و); then strip, in turn, each of the suffixes ها ان ات ون ين يه ه ي that fits, keeping
  at least two letters.
- Latin script: Snowball's English (Porter2) stemmer.
- Anything else (digits, other scripts) is kept as it is.
"""

from __future__ import annotations

import re
from functools import lru_cache

import snowballstemmer

from streams.text.normalize import key_tokens

PREFIXES = ("ال", "وال", "بال", "كال", "فال", "لل", "و")
SUFFIXES = ("ها", "ان", "ات", "ون", "ين", "يه", "ه", "ي")
_ARABIC = re.compile(r"[\u0621-\u064A]")
_LATIN = re.compile(r"[a-z]")
_ENGLISH = snowballstemmer.stemmer("english")


def arabic_light_stem(word: str) -> str:
    for prefix in PREFIXES:
        keep = 3 if len(prefix) == 1 else 2
        if word.startswith(prefix) and len(word) - len(prefix) >= keep:
            word = word[len(prefix) :]
            break
    for suffix in SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 2:
            word = word[: -len(suffix)]
    return word


@lru_cache(maxsize=200_000)
def stem(token: str) -> str:
    """The stem of one matching-key token."""
    if _ARABIC.search(token):
        return arabic_light_stem(token)
    if _LATIN.search(token):
        stemmed: str = _ENGLISH.stemWord(token)
        return stemmed
    return token


def stem_text(text: str) -> str:
    """Stems of the text's key tokens, space-separated (what the ``*_stem`` fields index)."""
    return " ".join(stem(token) for token in key_tokens(text))
