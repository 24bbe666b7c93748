"""Written forms of words: how often each matching key occurs in Arabic news and its most frequent
spelling, for readable labels and for telling a proclitic from a name's first letter.

The table (``data/spellings.tsv.gz``: ``key<TAB>count<TAB>form``, the form left empty where it equals
the key) is counted over the SaudiNewsNet articles and the ANERcorp text by ``newsflow train labels``;
words seen fewer than ``MIN_COUNT`` times are left out. It is derived data (word counts), not text:
see ``ner/data/ATTRIBUTION.md``.

- ``label`` writes a name the way most articles write it: ``وزاره الدفاع الامريكيه`` (a key) reads
  ``وزارة الدفاع الأمريكية``; hamza and ta marbuta come from the counts, words the table lacks keep
  the spelling they were found with (without tatweel and harakat).
- ``proclitic_length`` says how many leading letters of a token are a proclitic (و ف ب ل ك and their
  combinations): a token keeps its first letter when that letter is part of the word (``وليد``,
  ``لبنان``, ``كندا``) and loses it when the rest is the far more frequent word (``وكوريا``,
  ``ولبنان``) or the proclitic is followed by the article (``والأردن``, ``بالرياض``, ``للولايات``).
"""

from __future__ import annotations

import gzip
import io
import json
import re
import zipfile
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from streams.text.clitics import ALL, ARTICLE, longest_first
from streams.text.normalize import matching_key

DATA = Path(__file__).resolve().parent / "data" / "spellings.tsv.gz"
MIN_COUNT = 3
# a ك right before the name is left out: as a proclitic ("like") it is rare before names, as a first
# letter common (كمال, كريم); the article alone stays with the name
PROCLITICS = longest_first(p for p in ALL if not p.endswith("ك") and p != ARTICLE)
# how many times more frequent the rest must be than the whole token to count as a word of its own
STRIP_RATIO = 2
WORD = re.compile(r"[\w\u0640\u064B-\u0655\u0670]+")
_MARKS = re.compile(r"[\u0640\u064B-\u0652\u0670]")


def written(text: str) -> str:
    """Display text without tatweel and harakat (what a label may differ by from what was written)."""
    return _MARKS.sub("", text)


@dataclass(frozen=True, slots=True)
class Spellings:
    counts: dict[str, int]
    forms: dict[str, str]

    def count(self, key: str) -> int:
        return self.counts.get(key, 0)

    def form(self, word: str) -> str:
        """The most frequent spelling of ``word``'s key, else ``word`` without tatweel and harakat."""
        clean = written(word)
        key = matching_key(clean)
        if key not in self.counts:
            return clean
        return self.forms.get(key, key)

    def label(self, text: str) -> str:
        """``text`` (a name, proclitics already removed) written word by word in its usual spelling."""
        return WORD.sub(lambda m: self.form(m.group(0)), " ".join(text.split()))

    def proclitic_length(self, token: str) -> int:
        """Characters of ``token`` (display text) that form its proclitics; 0 when none."""
        key = matching_key(token)
        if len(key) != len(token):  # tatweel or harakat inside: map on the clean form only
            return 0
        for clitic in PROCLITICS:
            if not key.startswith(clitic) or len(key) - len(clitic) < 2:
                continue
            if clitic.endswith("ال"):  # و+ال: the article stays with the name
                return len(clitic) - 2
            if clitic.endswith("لل"):  # ل+ال with the alef elided: only the first ل goes
                return len(clitic) - 1
            rest = key[len(clitic) :]
            # a rest starting with the article was the longer clitic's case above (والد, بالي stay whole)
            if not rest.startswith("ال") and self.count(rest) >= max(MIN_COUNT, STRIP_RATIO * self.count(key)):
                return len(clitic)
        return 0

    def without_proclitic(self, token: str) -> str:
        """The word as it reads without its proclitics (``للولايات`` -> ``الولايات``)."""
        cut = self.proclitic_length(token)
        rest = token[cut:]
        if cut and matching_key(token[: cut + 1]).endswith("لل"):
            return "ا" + rest
        return rest


def load(path: Path = DATA) -> Spellings:
    counts: dict[str, int] = {}
    forms: dict[str, str] = {}
    if path.exists():
        with gzip.open(path, "rt", encoding="utf-8") as handle:
            for line in handle:
                key, count, form = line.rstrip("\n").split("\t")
                counts[key] = int(count)
                if form:
                    forms[key] = form
    return Spellings(counts, forms)


@cache
def default_spellings() -> Spellings:
    return load()


def corpus_texts(saudinewsnet: Path, conll: Path) -> Iterator[str]:
    """Titles and bodies of the SaudiNewsNet archives, then the ANERcorp sentences."""
    for archive in sorted(saudinewsnet.glob("*.zip")):
        with zipfile.ZipFile(archive) as bundle:
            for name in bundle.namelist():
                for record in json.load(io.TextIOWrapper(bundle.open(name), encoding="utf-8")):
                    yield record.get("title") or ""
                    yield record.get("content") or ""
    with conll.open(encoding="utf-8") as handle:
        yield " ".join(line.split()[0] for line in handle if line.strip())


def count_spellings(texts: Iterable[str]) -> dict[str, Counter[str]]:
    """Spellings of every Arabic-script word key, with their counts."""
    found: defaultdict[str, Counter[str]] = defaultdict(Counter)
    for text in texts:
        for word in WORD.findall(text):
            clean = written(word)
            if clean and not clean.isascii():
                found[matching_key(clean)][clean] += 1
    return found


def write_table(found: dict[str, Counter[str]], out: Path, min_count: int = MIN_COUNT) -> int:
    """Write the table (sorted by key, so rebuilds are byte-identical); returns its number of words."""
    lines = []
    for key in sorted(found):
        spellings = found[key]
        total = sum(spellings.values())
        if total >= min_count:
            form = min(spellings, key=lambda s: (-spellings[s], s))
            lines.append(f"{key}\t{total}\t{'' if form == key else form}\n")
    with out.open("wb") as raw, gzip.GzipFile(filename="", fileobj=raw, mode="wb", mtime=0) as handle:
        handle.write("".join(lines).encode("utf-8"))
    return len(lines)
