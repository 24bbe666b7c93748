"""CRF features of a tokenized sentence. Tokens keep their clitics (``والأردن``, ``بالرياض``), so each
token also contributes its clitic-stripped stem and the clitics it carried; every string feature is
taken on the matching key, so spelling variants share features."""

from __future__ import annotations

from collections.abc import Sequence

from streams.normalize import matching_key

_PROCLITICS = ("وبال", "وال", "فال", "بال", "كال", "لل", "ول", "وب", "فب", "فل", "ال", "و", "ف", "ب", "ل", "ك")


def split_clitics(key: str) -> tuple[str, str]:
    """(proclitics, stem) of a normalized token; only strips when a plausible stem (3+ letters) remains."""
    for clitic in _PROCLITICS:
        if key.startswith(clitic) and len(key) - len(clitic) >= 3:
            return clitic, key[len(clitic) :]
    return "", key


def shape(token: str) -> str:
    if token.isdigit():
        return "digit"
    if any("a" <= ch.lower() <= "z" for ch in token):
        return "latin-cap" if token[:1].isupper() else "latin"
    if not any(ch.isalnum() for ch in token):
        return "punct"
    return "arabic"


def token_features(
    keys: Sequence[str],
    stems: Sequence[str],
    clitics: Sequence[str],
    tokens: Sequence[str],
    i: int,
    gazetteer: Sequence[str],
) -> list[str]:
    key, stem = keys[i], stems[i]
    features = [
        "bias",
        f"w={key}",
        f"stem={stem}",
        f"cl={clitics[i]}",
        f"shape={shape(tokens[i])}",
        f"p2={stem[:2]}",
        f"p3={stem[:3]}",
        f"s2={stem[-2:]}",
        f"s3={stem[-3:]}",
        f"len={min(len(stem), 8)}",
    ]
    if gazetteer[i]:
        features.append(f"gaz={gazetteer[i]}")
    for offset in (-2, -1, 1, 2):
        j = i + offset
        if 0 <= j < len(keys):
            features.append(f"{offset}:w={keys[j]}")
            features.append(f"{offset}:stem={stems[j]}")
            if abs(offset) == 1:
                features.append(f"{offset}:shape={shape(tokens[j])}")
                features.append(f"{offset}:s2={stems[j][-2:]}")
                if gazetteer[j]:
                    features.append(f"{offset}:gaz={gazetteer[j]}")
        else:
            features.append(f"{offset}:pad")
    if i > 0:
        features.append(f"bi-1={stems[i - 1]}|{stem}")
    if i + 1 < len(keys):
        features.append(f"bi+1={stem}|{stems[i + 1]}")
    return features


def sentence_features(tokens: Sequence[str], gazetteer: Sequence[str] | None = None) -> list[list[str]]:
    keys = [matching_key(t) for t in tokens]
    split = [split_clitics(k) for k in keys]
    clitics = [c for c, _ in split]
    stems = [s for _, s in split]
    marks = gazetteer if gazetteer is not None else [""] * len(tokens)
    return [token_features(keys, stems, clitics, tokens, i, marks) for i in range(len(tokens))]
