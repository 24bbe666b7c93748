"""Differential test of the matching key against Lucene's own ArabicNormalizer, over every distinct
Arabic token of ../shared/data: where Lucene normalizes, the key agrees, and every token where the two
differ is explained by one of the extra rules documented in streams/text/normalize.py.

Needs Maven and a JDK (the JDK's single-file launcher runs LuceneArabicNormalize.java); the Lucene jars
come from Maven Central into the newsflow cache."""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
import zipfile
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import orjson
import pytest

from streams.settings import default_home
from streams.text.normalize import LUCENE_DELETE, LUCENE_FOLD, matching_key
from tests.conftest import SHARED

pytestmark = pytest.mark.integration

HERE = Path(__file__).resolve().parent
ARABIC = re.compile(r"[\u0600-\u06FF\u0750-\u077F\uFB50-\uFDFF\uFE70-\uFEFF]")
LUCENE_CHARS = set(LUCENE_FOLD) | set(LUCENE_DELETE)


def corpus_texts() -> Iterator[str]:
    for archive in sorted((SHARED / "data/articles/arabic/saudinewsnet").glob("*.zip")):
        with zipfile.ZipFile(archive) as bundle:
            for name in bundle.namelist():
                for record in json.load(io.TextIOWrapper(bundle.open(name), encoding="utf-8")):
                    yield record.get("title") or ""
                    yield record.get("content") or ""
    with (SHARED / "data/articles/arabic/saudinewsnet/sample_2015-08-01_02.jsonl").open("rb") as handle:
        for line in handle:
            yield orjson.loads(line)["content"]
    yield (SHARED / "data/ner/anercorp/train.txt").read_text(encoding="utf-8")
    for sample in (SHARED / "samples").glob("*.txt"):
        yield sample.read_text(encoding="utf-8")


def distinct_tokens() -> list[str]:
    tokens: set[str] = set()
    for text in corpus_texts():
        tokens.update(t for t in text.split() if ARABIC.search(t))
    return sorted(tokens)


def lucene_jars() -> Path:
    target = default_home() / "downloads" / "lucene-9.12.3"
    if not (target / ".complete").exists():
        subprocess.run(
            [
                "mvn",
                "-B",
                "-q",
                f"-Dmaven.repo.local={default_home() / 'downloads' / 'm2'}",
                "-f",
                str(HERE / "pom.xml"),
                "dependency:copy-dependencies",
                f"-DoutputDirectory={target}",
            ],
            check=True,
            timeout=600,
        )
        (target / ".complete").touch()
    return target


def lucene_normalize(tokens: list[str]) -> list[str]:
    java = os.environ.get("JAVA_HOME", "") and os.path.join(os.environ["JAVA_HOME"], "bin", "java")
    result = subprocess.run(
        [java or "java", "-cp", f"{lucene_jars()}/*", str(HERE / "LuceneArabicNormalize.java")],
        input="\n".join(tokens).encode("utf-8"),
        capture_output=True,
        check=True,
        timeout=600,
    )
    lines = result.stdout.decode("utf-8").split("\n")
    return lines[: len(tokens)]


def extra_rules(token: str) -> set[str]:
    """Which documented extra rules (X1-X8 in streams/text/normalize.py) touch this token."""
    rules = set()
    for char in token:
        cp = ord(char)
        if cp == 0x0671:
            rules.add("X1 alef wasla")
        elif cp in (0x0670, 0x0653, 0x0654, 0x0655):
            rules.add("X2 superscript alef / combining hamza")
        elif cp in (0x06CC, 0x06D0, 0x06CE, 0x06D2, 0x06D3, 0x06A9, 0x06C1, 0x06BE, 0x06C0, 0x06D5):
            rules.add("X3 Persian/Urdu letters")
        elif 0xFB50 <= cp <= 0xFDFF or 0xFE70 <= cp <= 0xFEFF:
            rules.add("X4 presentation forms")
        elif 0x0660 <= cp <= 0x0669 or 0x06F0 <= cp <= 0x06F9 or cp in (0x060C, 0x061B, 0x061F, 0x066A, 0x066B, 0x066C):
            rules.add("X5 digits and punctuation")
        elif (
            cp in (0x200B, 0x200C, 0x200D, 0x200E, 0x200F, 0x061C, 0xFFFE, 0xFFFF)
            or 0x202A <= cp <= 0x202E
            or 0x2066 <= cp <= 0x2069
        ):
            rules.add("X6 zero-width and bidi controls")
        elif char.lower() != char:
            rules.add("X7 lower-case")
    return rules


def test_key_agrees_with_lucene_except_by_documented_rules() -> None:
    tokens = distinct_tokens()
    assert len(tokens) > 100_000
    lucene = lucene_normalize(tokens)
    table: Counter[str] = Counter()
    unexplained = []
    for token, normalized in zip(tokens, lucene, strict=True):
        key = matching_key(token)
        # Where Lucene normalizes, the key agrees: applying the key to Lucene's output changes nothing more.
        assert matching_key(normalized) == key, (token, normalized, key)
        if key == normalized:
            table["agree"] += 1
            continue
        rules = extra_rules(token)
        if not rules:
            unexplained.append((token, normalized, key))
        for rule in rules:
            table[rule] += 1
        table["differ"] += 1
    print("\ndifferential test vs Lucene ArabicNormalizer:", dict(table), f"tokens={len(tokens)}")
    assert unexplained == []
    assert table["agree"] > table["differ"]
