"""The enrichment context: the enrichers in use from the settings, the version that names their data,
and the fields each one declares."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
import yaml
from jsonschema import Draft202012Validator

from streams.enrich.enricher import EnrichmentContext, enrich
from streams.enrich.topics import LEXICON
from streams.errors import ConfigurationError
from streams.parse.article import parse_article
from streams.pipeline.stages import ENRICHERS, enrichment_context
from streams.records import RawArticle
from streams.schemas import articles_index_template
from streams.settings import EnrichmentSettings

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


def test_version_names_each_enricher_and_follows_the_lexicon(tmp_path: Path, context: EnrichmentContext) -> None:
    assert [part.split("-")[0] for part in context.version.split(".")] == [*ENRICHERS, "normalizer"]
    changed = enrichment_context(EnrichmentSettings(topic_lexicon_file=renamed_lexicon(tmp_path, "-v2"))).version
    differing = [a for a, b in zip(context.version.split("."), changed.split("."), strict=True) if a != b]
    assert [part.split("-")[0] for part in differing] == ["topics"]


def test_records_carry_the_version_and_use_the_lexicon(
    tmp_path: Path, make_raw: Callable[..., RawArticle], seed_text: str, context: EnrichmentContext
) -> None:
    parsed = parse_article(make_raw(content=seed_text))
    other = enrichment_context(EnrichmentSettings(topic_lexicon_file=renamed_lexicon(tmp_path, "-v2")))
    (before,), (after,) = enrich([parsed], context), enrich([parsed], other)
    assert (before.enrichment_version, after.enrichment_version) == (context.version, other.version)
    topics_before = [t.label for t in before.tags if t.kind == "topic"]
    assert topics_before
    assert [t.label for t in after.tags if t.kind == "topic"] == [f"{t}-v2" for t in topics_before]


def test_the_settings_pick_the_enrichers_in_use(make_raw: Callable[..., RawArticle], seed_text: str) -> None:
    only_topics = enrichment_context(EnrichmentSettings(enrichers=("topics",)))
    assert [e.name for e in only_topics.enrichers] == ["topics"]
    assert only_topics.version.split(".")[0].startswith("topics-")
    (enriched,) = enrich([parse_article(make_raw(content=seed_text))], only_topics)
    assert enriched.entities == ()
    assert {t.kind for t in enriched.tags} == {"topic"}
    with pytest.raises(ConfigurationError, match="sentiment"):
        enrichment_context(EnrichmentSettings(enrichers=("entities", "sentiment")))


def test_every_enricher_declares_fields_the_index_maps_and_files_that_exist(context: EnrichmentContext) -> None:
    mapped = articles_index_template("x-*", 0)["template"]["mappings"]["properties"]
    for enricher in context.enrichers:
        assert set(enricher.fields) <= set(mapped), enricher.name
        assert not set(enricher.annotations) & set(mapped), enricher.name  # new fields never shadow core ones
        assert enricher.data_files, enricher.name
        assert all(path.is_file() for path in enricher.data_files), enricher.name


def test_enrichment_is_the_same_whatever_the_batch(
    make_raw: Callable[..., RawArticle], seed_text: str, context: EnrichmentContext
) -> None:
    seed = parse_article(make_raw(id="seed", content=seed_text))
    other = parse_article(make_raw(id="other", content="قال وزير الخارجية الأمريكي إن المحادثات مستمرة."))
    assert enrich([seed, other], context) == [*enrich([seed], context), *enrich([other], context)]


@pytest.mark.parametrize("name", list(ENRICHERS))
def test_what_an_enricher_adds_is_what_it_declares(
    name: str, make_raw: Callable[..., RawArticle], seed_text: str, context: EnrichmentContext
) -> None:
    (enricher,) = [e for e in context.enrichers if e.name == name]
    for declared in enricher.annotations.values():
        Draft202012Validator.check_schema(declared.schema)
        assert declared.mapping.get("type") or declared.mapping.get("properties"), name
    (enriched,) = enrich([parse_article(make_raw(content=seed_text))], EnrichmentContext.of([enricher]))
    assert set(enriched.annotations) <= set(enricher.annotations), name
    for field, value in enriched.annotations.items():
        errors = list(Draft202012Validator(enricher.annotations[field].schema).iter_errors(value))
        assert not errors, f"{name}.{field}: {errors[0].message}"
