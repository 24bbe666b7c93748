"""What an enricher is, and the context every enrichment runs in.

An enricher (``Enricher``) takes a batch of articles as enriched so far and returns them with what it
adds; it holds the data it reads (models, tables), loaded once when the context is built, and never
changes them. It declares:

- ``data_files``: the files whose bytes shape its output; their digest goes into ``enrichment_version``,
  so a changed file changes the version and ``newsflow reindex`` re-enriches the archive;
- ``fields``: the core document fields it fills (``entities``, ``tags``), mapped in
  schemas/elasticsearch (a unit test checks each one is there);
- ``annotations``: new document fields it adds (``EnrichedArticle.annotations``), each with its
  Elasticsearch mapping and JSON Schema; the index template in use is the shipped one plus these
  (streams.sink.elasticsearch), so a new field is never refused by the strict mapping.

``EnrichmentContext`` is the enrichers in use (streams.pipeline.stages builds it from the settings) and
the version of the whole; ``enrich`` is pure: the same articles, context and known names give the same
records. Learning names from the results is the caller's next step (streams.enrich.names).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any, Protocol

from streams.enrich.names import NO_NAMES, KnownNames
from streams.records import EnrichedArticle, ParsedArticle
from streams.text import clitics, normalize

DIGEST_CHARS = 8
# the matching key every stage groups by and the proclitics every stage strips shape every enricher's output
NORMALIZER_FILES = (Path(normalize.__file__), Path(clitics.__file__))


@dataclass(frozen=True, slots=True)
class DocumentField:
    """A document field an enricher adds: its Elasticsearch mapping and the JSON Schema of its value."""

    mapping: Mapping[str, Any]
    schema: Mapping[str, Any]


NO_ANNOTATIONS: Mapping[str, DocumentField] = MappingProxyType({})


class Enricher(Protocol):
    @property
    def name(self) -> str: ...

    @property
    def data_files(self) -> tuple[Path, ...]: ...

    @property
    def fields(self) -> tuple[str, ...]: ...

    @property
    def annotations(self) -> Mapping[str, DocumentField]: ...

    def enrich(self, articles: Sequence[EnrichedArticle], names: KnownNames) -> list[EnrichedArticle]:
        """The articles with what this enricher adds, in the same order."""
        ...


def file_digest(*paths: Path) -> str:
    digest = hashlib.sha256()
    for path in paths:
        digest.update(path.read_bytes())
    return digest.hexdigest()[:DIGEST_CHARS]


@dataclass(frozen=True, slots=True)
class EnrichmentContext:
    """The enrichers in use, in order, and ``version``: each one's name and data digest, then the
    normalizer's (what ``enrichment_version`` says in every record and document)."""

    enrichers: tuple[Enricher, ...]
    version: str

    @classmethod
    def of(cls, enrichers: Sequence[Enricher]) -> EnrichmentContext:
        parts = [f"{e.name}-{file_digest(*e.data_files)}" for e in enrichers]
        return cls(tuple(enrichers), ".".join([*parts, f"normalizer-{file_digest(*NORMALIZER_FILES)}"]))

    @property
    def annotations(self) -> dict[str, DocumentField]:
        """Every enricher's new document fields, by name."""
        return {name: declared for e in self.enrichers for name, declared in e.annotations.items()}

    def start(self, article: ParsedArticle) -> EnrichedArticle:
        """An article before any enricher ran, stamped with this context's version."""
        return EnrichedArticle(article=article, tags=(), enrichment_version=self.version)


def enrich(
    articles: Sequence[ParsedArticle], context: EnrichmentContext, names: KnownNames = NO_NAMES
) -> list[EnrichedArticle]:
    """Every enricher in turn over the whole batch (streams.pipeline.process isolates a failing article)."""
    enriched = [context.start(a) for a in articles]
    for enricher in context.enrichers:
        enriched = enricher.enrich(enriched, names)
    return enriched
