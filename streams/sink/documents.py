"""EnrichedArticle -> the Elasticsearch document (mapping in schemas/elasticsearch)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from streams.normalize import matching_key
from streams.records import EnrichedArticle


def document_id(enriched: EnrichedArticle) -> str:
    """Deterministic ``_id``: the article id, so a re-sent article overwrites instead of duplicating."""
    return enriched.article.id


def to_document(enriched: EnrichedArticle, indexed_at: datetime) -> dict[str, Any]:
    article = enriched.article
    body = "\n\n".join(article.body)
    return {
        "id": article.id,
        "schema_version": enriched.schema_version,
        "url": article.url,
        "canonical_url": article.canonical_url,
        "title": article.title,
        "title_source": article.title_source,
        "title_key": matching_key(article.title),
        "lead": article.lead,
        "body": body,
        "body_key": matching_key(body),
        "source": {"name": article.source.name, "domain": article.source.domain},
        "published_at": article.published_at.isoformat() if article.published_at else None,
        "fetched_at": article.fetched_at.isoformat(),
        "indexed_at": indexed_at.isoformat(),
        "language": article.language,
        "authors": list(article.authors),
        "tags": [{"label": t.label, "canonical": t.canonical, "kind": t.kind, "score": t.score} for t in enriched.tags],
        "related": [{"title": link.title, "url": link.url} for link in article.related],
        "similar": list(article.similar),
        "entities": [
            {
                "text": e.text,
                "type": e.type,
                "start": e.start,
                "end": e.end,
                "canonical": e.canonical,
                "source": e.source,
            }
            for e in enriched.entities
        ],
        "word_count": article.word_count,
        "parse_warnings": list(article.parse_warnings),
    }
