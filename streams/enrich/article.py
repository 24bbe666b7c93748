"""What the shipped enrichers (streams.enrich.standard) build an article's tags from.

Tags (``Tag.kind``): ``page`` tags from the site, one per spelling group (keyed by the matching key,
labelled in the usual spelling of the words: streams.enrich.spellings); ``entity`` tags for the
article's most mentioned entities; ``keyphrase`` tags from the title and lead
(streams.enrich.keyphrases); ``topic`` labels from the topic lexicon.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from streams.enrich.spellings import Spellings
from streams.records import Entity, ParsedArticle, Tag
from streams.text.normalize import matching_key

MAX_ENTITY_TAGS = 5
ENTITY_TAG_TYPES = frozenset({"PERSON", "ORG", "LOCATION"})


def body_text(article: ParsedArticle) -> str:
    """The body as indexed: paragraphs joined by a blank line (entity offsets refer to this string)."""
    return "\n\n".join(article.body)


def page_tags(tags: Sequence[str], entities: Sequence[Entity], spellings: Spellings) -> list[Tag]:
    """One tag per spelling group; a tag that is a short form of a name in the article (``أوستن``
    beside ``لويد أوستن``) takes that name's key and label."""
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
