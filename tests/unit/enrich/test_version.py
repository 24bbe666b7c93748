"""The enrichment version names the data an enrichment used; a changed lexicon changes it and the topics."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from streams.enrich.article import enrich_article
from streams.enrich.topics import LEXICON
from streams.enrich.version import enrichment
from streams.parse.article import parse_article
from streams.records import RawArticle

pytestmark = pytest.mark.unit


def renamed_lexicon(tmp_path: Path, suffix: str) -> Path:
    """A copy of the shipped topic lexicon whose topics are renamed ``<topic><suffix>``."""
    data = yaml.safe_load(LEXICON.read_text(encoding="utf-8"))
    path = tmp_path / "topics.yaml"
    renamed = {
        f"{topic}{suffix}": {**words, "label": {lang: f"{name}{suffix}" for lang, name in words["label"].items()}}
        for topic, words in data.items()
    }
    path.write_text(yaml.safe_dump(renamed, allow_unicode=True))
    return path


def test_version_names_each_part_and_follows_the_lexicon(tmp_path: Path) -> None:
    shipped = enrichment()
    assert enrichment(LEXICON).version == shipped.version
    assert [part.split("-")[0] for part in shipped.version.split(".")] == [
        "ner",
        "topics",
        "spellings",
        "keyphrases",
        "normalizer",
    ]
    changed = enrichment(renamed_lexicon(tmp_path, "-v2")).version
    assert changed != shipped.version
    differing = [a for a, b in zip(shipped.version.split("."), changed.split("."), strict=True) if a != b]
    assert [part.split("-")[0] for part in differing] == ["topics"]


def test_enriched_records_carry_the_version_and_use_the_lexicon(
    tmp_path: Path, make_raw: Callable[..., RawArticle], seed_text: str
) -> None:
    parsed = parse_article(make_raw(content=seed_text))
    before = enrich_article(parsed)
    data = enrichment(renamed_lexicon(tmp_path, "-v2"))
    after = enrich_article(parsed, enrichment=data)
    assert before.enrichment_version == enrichment().version
    assert after.enrichment_version == data.version
    topics_before = [t.label for t in before.tags if t.kind == "topic"]
    assert topics_before
    assert [t.label for t in after.tags if t.kind == "topic"] == [f"{t}-v2" for t in topics_before]
