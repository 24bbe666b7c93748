"""ParsedArticle -> EnrichedArticle: entities with offsets and canonical forms, and tags.

Tags (``Tag.kind``): ``page`` tags from the site, one per spelling group (the matching key is the
canonical form, the first spelling on the page the label); ``entity`` tags for the article's most
mentioned entities; ``keyphrase`` tags from the title and lead (streams.enrich.keyphrases);
``topic`` labels from the topic lexicon.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from streams.enrich.entities import recognize
from streams.enrich.keyphrases import keyphrases
from streams.enrich.names import NameDictionary
from streams.enrich.topics import topic_scores
from streams.normalize import matching_key
from streams.records import EnrichedArticle, Entity, ParsedArticle, Tag

MAX_ENTITY_TAGS = 5
ENTITY_TAG_TYPES = frozenset({"PERSON", "ORG", "LOCATION"})


def body_text(article: ParsedArticle) -> str:
    """The body as indexed: paragraphs joined by a blank line (entity offsets refer to this string)."""
    return "\n\n".join(article.body)


def page_tags(tags: Sequence[str]) -> list[Tag]:
    kept: dict[str, str] = {}
    for tag in tags:
        key = matching_key(tag)
        if key and key not in kept:
            kept[key] = tag.strip()
    return [Tag(label=label, canonical=key, kind="page", score=1.0) for key, label in kept.items()]


def entity_tags(entities: Sequence[Entity]) -> list[Tag]:
    mentions = [e for e in entities if e.type in ENTITY_TAG_TYPES]
    counts = Counter(e.canonical for e in mentions)
    labels: dict[str, str] = {}
    for entity in mentions:  # prefer a mention spelled like its canonical form (no clitic) as the label
        if entity.canonical not in labels or matching_key(entity.text) == entity.canonical:
            labels[entity.canonical] = entity.text
    return [
        Tag(label=labels[canonical], canonical=canonical, kind="entity", score=round(count / len(mentions), 3))
        for canonical, count in counts.most_common(MAX_ENTITY_TAGS)
    ]


def enrich_article(article: ParsedArticle, names: NameDictionary | None = None) -> EnrichedArticle:
    """Enrich one article; with ``names``, learned names are recognised and new ones learned from it."""
    learned = names.gazetteer() if names is not None else None
    entities = (
        *recognize(article.title, article.language, "title", learned),
        *recognize(body_text(article), article.language, "body", learned),
    )
    topics = [
        Tag(label=t, canonical=t, kind="topic", score=s)
        for t, s in topic_scores(f"{article.title}\n{body_text(article)}")
    ]
    enriched = EnrichedArticle(
        article=article,
        tags=(
            *page_tags(article.page_tags),
            *entity_tags(entities),
            *keyphrases(article.title, article.body, article.language, entities),
            *topics,
        ),
        entities=entities,
    )
    if names is not None:
        names.learn(enriched)
    return enriched
