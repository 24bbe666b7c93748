"""The one place that lists the enrichers and sinks newsflow has, and picks those in use from the
settings (``enrichment.enrichers``, ``sink.targets``). Adding an enricher or a sink is a line here
(docs/recipes/)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from streams.enrich.enricher import DocumentField, Enricher, EnrichmentContext
from streams.enrich.standard import EntityEnricher, TagEnricher, TopicEnricher
from streams.errors import ConfigurationError
from streams.settings import EnrichmentSettings, SinkSettings
from streams.sink.elasticsearch_sink import ElasticsearchSink
from streams.sink.files import FilesSink
from streams.sink.protocol import Sink, SinkSetup


class Declared(Protocol):
    """An enricher's class: what it declares, read without loading it."""

    annotations: Mapping[str, DocumentField]


@dataclass(frozen=True, slots=True)
class Registered:
    """An enricher newsflow has: its class and how to load it from the settings."""

    kind: Declared
    load: Callable[[EnrichmentSettings], Enricher]


# by name, in the order they run (an enricher reads what the ones before it added)
ENRICHERS: dict[str, Registered] = {
    "entities": Registered(EntityEnricher, lambda _: EntityEnricher.load()),
    "tags": Registered(TagEnricher, lambda _: TagEnricher.load()),
    "topics": Registered(TopicEnricher, lambda settings: TopicEnricher.load(settings.topic_lexicon_file)),
}

SINKS: dict[str, Callable[[SinkSetup], Sink]] = {
    "elasticsearch": ElasticsearchSink,
    "files": FilesSink,
}


def _chosen(wanted: Sequence[str] | None, known: Mapping[str, Any], what: str) -> list[str]:
    names = list(known) if wanted is None else list(wanted)
    unknown = sorted(set(names) - set(known))
    if unknown:
        raise ConfigurationError(f"unknown {what} {unknown}; newsflow has {list(known)}")
    return names


def enrichment_context(settings: EnrichmentSettings) -> EnrichmentContext:
    """The enrichers named in ``settings`` (None: all of them), loaded once, in the registry's order."""
    wanted = _chosen(settings.enrichers, ENRICHERS, "enrichers")
    return EnrichmentContext.of([entry.load(settings) for name, entry in ENRICHERS.items() if name in wanted])


def document_fields(settings: EnrichmentSettings) -> dict[str, DocumentField]:
    """The document fields the enrichers in use add, from their declarations (nothing is loaded)."""
    wanted = _chosen(settings.enrichers, ENRICHERS, "enrichers")
    return {
        field: declared
        for name, entry in ENRICHERS.items()
        if name in wanted
        for field, declared in entry.kind.annotations.items()
    }


def field_mappings(settings: EnrichmentSettings) -> dict[str, Mapping[str, Any]]:
    """What the article index maps for those fields (streams.sink.elasticsearch.ensure_index)."""
    return {name: declared.mapping for name, declared in document_fields(settings).items()}


def sinks(settings: SinkSettings, setup: SinkSetup) -> list[Sink]:
    """The sinks named in ``sink.targets``, in that order."""
    return [SINKS[name](setup) for name in _chosen(settings.targets, SINKS, "sinks")]
