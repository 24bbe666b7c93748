"""ParsedArticle -> EnrichedArticle: entities with offsets, keys and labels (streams.enrich.mentions),
and tags.

Tags (``Tag.kind``): ``page`` tags from the site, one per spelling group (keyed by the matching key,
labelled in the usual spelling of the words: streams.enrich.spellings); ``entity`` tags for the
article's most mentioned entities; ``keyphrase`` tags from the title and lead
(streams.enrich.keyphrases); ``topic`` labels from the topic lexicon.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from streams.enrich.entities import recognize, tagged_entities
from streams.enrich.keyphrases import keyphrases
from streams.enrich.mentions import resolve
from streams.enrich.names import NameDictionary
from streams.enrich.spellings import Spellings, default_spellings
from streams.enrich.topics import topic_scores
from streams.enrich.version import Enrichment
from streams.enrich.version import enrichment as default_enrichment
from streams.records import EnrichedArticle, Entity, ParsedArticle, Tag
from streams.text.normalize import matching_key

MAX_ENTITY_TAGS = 5
ENTITY_TAG_TYPES = frozenset({"PERSON", "ORG", "LOCATION"})


def body_text(article: ParsedArticle) -> str:
    """The body as indexed: paragraphs joined by a blank line (entity offsets refer to this string)."""
    return "\n\n".join(article.body)


def page_tags(tags: Sequence[str], entities: Sequence[Entity] = (), spellings: Spellings | None = None) -> list[Tag]:
    """One tag per spelling group; a tag that is a short form of a name in the article (``أوستن``
    beside ``لويد أوستن``) takes that name's key and label."""
    spellings = spellings or default_spellings()
    short_forms = {matching_key(e.text): e for e in entities if e.type == "PERSON" and matching_key(e.text) != e.key}
    kept: dict[str, str] = {}
    for tag in tags:
        key = matching_key(tag)
        name = short_forms.get(key)
        key, label = (name.key, name.label) if name is not None else (key, spellings.label(tag.strip()))
        if key and key not in kept:
            kept[key] = label
    return [Tag(label=label, key=key, kind="page", score=1.0) for key, label in kept.items()]


def entity_tags(entities: Sequence[Entity]) -> list[Tag]:
    mentions = [e for e in entities if e.type in ENTITY_TAG_TYPES]
    counts = Counter(e.key for e in mentions)
    labels = {e.key: e.label for e in mentions}  # one label per key (streams.enrich.mentions)
    return [
        Tag(label=labels[key], key=key, kind="entity", score=round(count / len(mentions), 3))
        for key, count in counts.most_common(MAX_ENTITY_TAGS)
    ]


def article_texts(article: ParsedArticle) -> dict[str, str]:
    """The texts entities are found in, by the part their offsets refer to."""
    return {"title": article.title, "body": body_text(article)}


def tag_articles(articles: Sequence[ParsedArticle]) -> list[list[Entity]]:
    """The taggers' entities of a batch of articles in one pass (for ``enrich_article``'s ``tagged``)."""
    return tagged_entities([(article_texts(a), a.language) for a in articles])


def enrich_article(
    article: ParsedArticle,
    names: NameDictionary | None = None,
    enrichment: Enrichment | None = None,
    tagged: Sequence[Entity] | None = None,
) -> EnrichedArticle:
    """Enrich one article; with ``names``, learned names are recognised and new ones learned from it;
    ``enrichment``: the topic lexicon and version to use (default: the shipped data); ``tagged``: its
    entities from ``tag_articles`` when the batch was tagged at once."""
    enrichment = enrichment or default_enrichment()
    learned = names.gazetteer() if names is not None else None
    texts = article_texts(article)
    entities = resolve(recognize(texts, article.language, learned, tagged), texts, default_spellings(), names)
    topics = [  # named in the article's language, keyed like every tag by its label's matching key
        Tag(label=label, key=matching_key(label), kind="topic", score=s)
        for t, s in topic_scores(f"{article.title}\n{body_text(article)}", enrichment.topics)
        for label in [enrichment.topics.label(t, article.language)]
    ]
    enriched = EnrichedArticle(
        article=article,
        tags=(
            *page_tags(article.page_tags, entities),
            *entity_tags(entities),
            *keyphrases(article.title, article.body, article.language, entities),
            *topics,
        ),
        entities=entities,
        enrichment_version=enrichment.version,
    )
    if names is not None:
        names.learn(enriched)
    return enriched
