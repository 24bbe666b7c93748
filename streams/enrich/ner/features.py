"""CRF features of a tokenized sentence. Tokens keep their clitics (``والأردن``, ``بالرياض``), so each
token also contributes its clitic-stripped stem and the clitics it carried; every string feature is
taken on the matching key, so spelling variants share features."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from functools import lru_cache

from streams.enrich.ner.gazetteer import Gazetteer
from streams.text.clitics import ALL, longest_first
from streams.text.normalize import matching_key

# The shipped model was trained with every proclitic but these (its features and word clusters depend
# on the split; `newsflow train ner` retrains after a change here).
_NOT_IN_MODEL = frozenset({"وك", "فك", "وكال", "فبال", "فكال", "ولل", "فلل"})
_PROCLITICS = longest_first(p for p in ALL if p not in _NOT_IN_MODEL)


def split_clitics(key: str) -> tuple[str, str]:
    """(proclitics, stem) of a normalized token; only strips when a plausible stem (3+ letters) remains."""
    for clitic in _PROCLITICS:
        if key.startswith(clitic) and len(key) - len(clitic) >= 3:
            return clitic, key[len(clitic) :]
    return "", key


_LATIN = re.compile(r"[A-Za-z]")
_ALNUM = re.compile(r"\w")


def shape(token: str) -> str:
    if token.isdigit():
        return "digit"
    if _LATIN.search(token):
        return "latin-cap" if token[:1].isupper() else "latin"
    if not _ALNUM.search(token):
        return "punct"
    return "arabic"


@lru_cache(maxsize=200_000)
def token_base(token: str) -> tuple[str, str, str, str]:
    """(key, clitics, stem, shape) of a token: the per-token work, cached because tokens repeat."""
    key = matching_key(token) or token
    clitic, stem = split_clitics(key)
    return key, clitic, stem, shape(token)


def token_features(
    keys: Sequence[str],
    stems: Sequence[str],
    clitics: Sequence[str],
    shapes: Sequence[str],
    i: int,
    gazetteer: Sequence[str],
    clusters: Sequence[str],
) -> list[str]:
    key, stem = keys[i], stems[i]
    features = [
        "bias",
        f"w={key}",
        f"stem={stem}",
        f"clitic={clitics[i]}",
        f"shape={shapes[i]}",
        f"p2={stem[:2]}",
        f"p3={stem[:3]}",
        f"s2={stem[-2:]}",
        f"s3={stem[-3:]}",
        f"len={min(len(stem), 8)}",
    ]
    if gazetteer[i]:
        features.append(f"gaz={gazetteer[i]}")
    if clusters[i]:
        features.append(f"cl={clusters[i]}")
    for offset in (-2, -1, 1, 2):
        j = i + offset
        if 0 <= j < len(keys):
            features.append(f"{offset}:w={keys[j]}")
            features.append(f"{offset}:stem={stems[j]}")
            if abs(offset) == 1:
                features.append(f"{offset}:shape={shapes[j]}")
                features.append(f"{offset}:s2={stems[j][-2:]}")
                if gazetteer[j]:
                    features.append(f"{offset}:gaz={gazetteer[j]}")
                if clusters[j]:
                    features.append(f"{offset}:cl={clusters[j]}")
        else:
            features.append(f"{offset}:pad")
    if i > 0:
        features.append(f"bi-1={stems[i - 1]}|{stem}")
    if i + 1 < len(keys):
        features.append(f"bi+1={stem}|{stems[i + 1]}")
    return features


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


def sentence_features(
    tokens: Sequence[str], gazetteer: Gazetteer | None = None, clusters: Mapping[str, str] | None = None
) -> list[list[str]]:
    """Features of every token; ``clusters`` maps a stem to its distributional word-cluster id."""
    bases = [token_base(t) for t in tokens]
    keys = [b[0] for b in bases]
    clitics = [b[1] for b in bases]
    stems = [b[2] for b in bases]
    shapes = [b[3] for b in bases]
    marks = gazetteer_marks(keys, gazetteer) if gazetteer is not None else [""] * len(tokens)
    cluster_ids = [clusters.get(stem, "") for stem in stems] if clusters is not None else [""] * len(tokens)
    return [token_features(keys, stems, clitics, shapes, i, marks, cluster_ids) for i in range(len(tokens))]
