"""Shared fixtures: paths to the shared corpora and factories for records; every test is marked by its
folder (``tests/unit`` -> ``unit``; ``tests/integration`` and ``tests/differential`` -> ``integration``;
``tests/deploy`` -> ``deploy`` (the deploy assets, checked with external tools); ``tests/cluster`` -> ``cluster``,
run by ``make test-cluster`` on deploy/local/cluster),
so a test file cannot be left out of ``make test`` by a missing marker."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from streams.enrich.enricher import EnrichmentContext, enrich
from streams.enrich.names import NO_NAMES, NameDictionary
from streams.pipeline.stages import enrichment_context
from streams.records import EnrichedArticle, ParsedArticle, RawArticle
from streams.settings import EnrichmentSettings

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
SEED_ARTICLE = SHARED / "samples" / "000_536e0786f38f2d02.txt"
# The seed's page tags in page order: the last one repeats الولايات المتحدة with a Persian yeh.
SEED_PAGE_TAGS = (
    "وزارة الدفاع الأمريكية",
    "أوستن",
    "شبه الجزيرة الكورية",
    "الولايات المتحدة",
    "كوريا الجنوبية",
    "الولایات المتحدة",
)
SEED_TAGS_DEDUPLICATED = SEED_PAGE_TAGS[:5]
SAUDI_SAMPLE = SHARED / "data" / "articles" / "arabic" / "saudinewsnet" / "sample_2015-08-01_02.jsonl"


MARK_BY_FOLDER = {
    "unit": "unit",
    "deploy": "deploy",
    "integration": "integration",
    "differential": "integration",
    "cluster": "cluster",
}


def pytest_configure(config: pytest.Config) -> None:
    if not SHARED.is_dir():
        raise pytest.UsageError(f"{SHARED} is missing: the tests read the shared corpora from ../shared (README)")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        folder = item.path.relative_to(ROOT / "tests").parts[0]
        if folder not in MARK_BY_FOLDER:
            raise pytest.UsageError(f"{item.nodeid}: tests live in tests/{{{','.join(MARK_BY_FOLDER)}}}/")
        item.add_marker(MARK_BY_FOLDER[folder])


@pytest.fixture
def seed_text() -> str:
    return SEED_ARTICLE.read_text(encoding="utf-8")


@pytest.fixture
def make_raw() -> Callable[..., RawArticle]:
    """Factory: a RawArticle with sensible defaults, any field overridable."""

    def make(**overrides: Any) -> RawArticle:
        fields: dict[str, Any] = {
            "id": "article-1",
            "format": "text",
            "content": "فقرة أولى من الخبر.\n\nفقرة ثانية.",
            "fetched_at": datetime(2025, 11, 26, 9, 30, tzinfo=UTC),
            "origin": "test",
        }
        fields.update(overrides)
        return RawArticle(**fields)

    return make


FEEDS = SHARED / "data" / "feeds"
TRAFILATURA = SHARED / "data" / "extraction" / "trafilatura"
BBC = SHARED / "data" / "articles" / "english" / "bbc" / "bbc_fulltext.jsonl"


@pytest.fixture(scope="session")
def context() -> EnrichmentContext:
    """The shipped enrichers, loaded once for the run (as a worker loads them at start)."""
    return enrichment_context(EnrichmentSettings())


@pytest.fixture
def enrich_one(context: EnrichmentContext) -> Callable[..., EnrichedArticle]:
    """Enrich one parsed article as the pipeline does: with ``names`` known at its start, then learned from."""

    def run(article: ParsedArticle, names: NameDictionary | None = None) -> EnrichedArticle:
        enriched = enrich([article], context, names.known() if names is not None else NO_NAMES)[0]
        if names is not None:
            names.learn(enriched)
        return enriched

    return run
