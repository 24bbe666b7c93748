"""Sketches of an article body for duplicate detection, over the matching key (streams.text.normalize) so
that spelling variants (ی/ي, أ/ا, tatweel, ...) do not hide a copy:

- ``fingerprint``: a hash of the whole normalized body, equal for exact copies;
- ``signature``: a datasketch MinHash over word shingles, whose agreement estimates the Jaccard
  similarity of two bodies' shingle sets, for near copies (light edits, added or dropped paragraphs).

Only the body is sketched: titles are rewritten by every outlet and trailers differ by site.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from functools import cache

import numpy as np
from datasketch import MinHash

from streams.text.normalize import key_tokens

SHINGLE_WORDS = 3
SEED = 1  # fixed, so every worker computes the same signature for the same text
SCHEME = "affine32"  # 32-bit hash values: a signature is num_perm uint32


def body_tokens(paragraphs: Sequence[str]) -> list[str]:
    return [token for paragraph in paragraphs for token in key_tokens(paragraph)]


def fingerprint(tokens: Sequence[str]) -> str:
    return hashlib.blake2b(" ".join(tokens).encode("utf-8"), digest_size=16).hexdigest()


def shingles(tokens: Sequence[str]) -> set[bytes]:
    """Overlapping word n-grams; a body shorter than one shingle is one shingle."""
    if len(tokens) <= SHINGLE_WORDS:
        return {" ".join(tokens).encode("utf-8")}
    return {" ".join(tokens[i : i + SHINGLE_WORDS]).encode("utf-8") for i in range(len(tokens) - SHINGLE_WORDS + 1)}


@cache
def permutations(num_perm: int) -> np.ndarray:
    """The hash permutations of SEED, drawn once (drawing them took as long as sketching a body)."""
    permuted: np.ndarray = MinHash(num_perm=num_perm, seed=SEED, scheme=SCHEME).permutations
    return permuted


def signature(tokens: Sequence[str], num_perm: int) -> np.ndarray:
    """MinHash values (uint32)."""
    sketch = MinHash(num_perm=num_perm, seed=SEED, scheme=SCHEME, permutations=permutations(num_perm))
    sketch.update_batch(list(shingles(tokens)))
    return np.asarray(sketch.hashvalues, dtype=np.uint32)


def similarity(first: np.ndarray, second: np.ndarray) -> float:
    """Estimated Jaccard similarity of the two shingle sets."""
    return float(np.count_nonzero(first == second)) / len(first)
