"""ParsedArticle -> EnrichedArticle.

First cut: page tags deduplicated across spellings by their matching key (``الولايات المتحدة`` and
``الولایات المتحدة`` are one tag; the first spelling on the page is kept). Entities come later.
"""

from __future__ import annotations

from streams.normalize import matching_key
from streams.records import EnrichedArticle, ParsedArticle


def dedupe_tags(tags: tuple[str, ...]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Tags with one spelling per matching key, and their keys (aligned)."""
    kept: dict[str, str] = {}
    for tag in tags:
        key = matching_key(tag)
        if key and key not in kept:
            kept[key] = tag.strip()
    return tuple(kept.values()), tuple(kept.keys())


def enrich_article(article: ParsedArticle) -> EnrichedArticle:
    tags, keys = dedupe_tags(article.page_tags)
    return EnrichedArticle(article=article, tags=tags, tag_keys=keys)
