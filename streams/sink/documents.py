"""EnrichedArticle -> the Elasticsearch document (mapping in schemas/elasticsearch)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from streams.dedup.story_records import StoryAssignment
from streams.enrich.article import body_text
from streams.records import EnrichedArticle
from streams.text.normalize import matching_key
from streams.text.stemming import stem_text


def document_id(enriched: EnrichedArticle) -> str:
    """Deterministic ``_id``: the article id, so a re-sent article overwrites instead of duplicating."""
    return enriched.article.id


def story_fields(story: StoryAssignment) -> dict[str, Any]:
    return {
        "story_id": story.story_id,
        "duplicate_of": story.duplicate_of,
        "similarity": story.similarity,
        "seen_count": story.seen_count,
        "first_seen": story.first_seen.isoformat(),
        "last_seen": story.last_seen.isoformat(),
        "sources": list(story.sources),
        "event_id": story.event.event_id if story.event is not None else None,
        "event_similarity": story.event.similarity if story.event is not None else None,
    }


def links_field(links: Sequence[tuple[str, str]]) -> list[dict[str, str]]:
    """Read-also and similar headlines that are the title of an indexed article, with its id."""
    return [{"headline": headline, "id": doc_id} for headline, doc_id in links]


def with_key_fields(document: dict[str, Any]) -> dict[str, Any]:
    """The document with the *_key/*_stem copies an index without server-side analysis searches
    (streams.sink.analysis)."""
    title, body = document["title"], document["body"]
    keys = {
        "title_key": matching_key(title),
        "title_stem": stem_text(title),
        "body_key": matching_key(body),
        "body_stem": stem_text(body),
    }
    return {**document, **keys}


def to_document(enriched: EnrichedArticle, indexed_at: datetime, story: StoryAssignment) -> dict[str, Any]:
    """The document every sink writes: the article, what the enrichers added (their declared fields
    included: ``annotations``) and its story."""
    article = enriched.article
    body = body_text(article)  # the string the entity offsets point into
    return {
        "id": article.id,
        "schema_version": enriched.schema_version,
        "enrichment_version": enriched.enrichment_version,
        "url": article.url,
        "canonical_url": article.canonical_url,
        "title": article.title,
        "title_source": article.title_source,
        "lead": article.lead,
        "body": body,
        "source": {"name": article.source.name, "domain": article.source.domain},
        "published_at": article.published_at.isoformat() if article.published_at else None,
        # the article's date for time filters and charts: published, else fetched (many feeds give no date)
        "date": (article.published_at or article.fetched_at).isoformat(),
        "fetched_at": article.fetched_at.isoformat(),
        "indexed_at": indexed_at.isoformat(),
        "language": article.language,
        "authors": list(article.authors),
        "tags": [
            {
                "label": t.label,
                "key": t.key,
                "kind": t.kind,
                "score": t.score,
                **({"aliases": list(t.aliases)} if t.aliases else {}),
            }
            for t in enriched.tags
        ],
        "related": [{"title": link.title, "url": link.url} for link in article.related],
        "similar": list(article.similar),
        "links": links_field(story.links),
        "entities": [
            {
                "text": e.text,
                "type": e.type,
                "start": e.start,
                "end": e.end,
                "key": e.key,
                "label": e.label,
                "found_by": e.found_by,
            }
            for e in enriched.entities
        ],
        "word_count": article.word_count,
        "parse_warnings": list(article.parse_warnings),
        **enriched.annotations,
        **story_fields(story),
    }
