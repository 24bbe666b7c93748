"""The enrichers newsflow ships: entities, then tags (page, entity and keyphrase), then topics. Each
loads its data once (``load``) and keeps it; streams.pipeline.stages lists them by name."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import ClassVar

from streams.enrich.article import article_texts, body_text, entity_tags, page_tags
from streams.enrich.enricher import NO_ANNOTATIONS, DocumentField
from streams.enrich.entities import Recognizers, recognize, tagged_entities
from streams.enrich.keyphrases import STOPWORDS, keyphrases
from streams.enrich.mentions import resolve
from streams.enrich.names import KnownNames
from streams.enrich.ner.gazetteer import DATA as NAMES
from streams.enrich.ner.gazetteer import Gazetteer, default_gazetteer
from streams.enrich.ner.model import MODEL_PATHS, default_recognizer
from streams.enrich.ner.review import DATA as REVIEW_LISTS
from streams.enrich.spellings import DATA as SPELLINGS
from streams.enrich.spellings import Spellings, default_spellings
from streams.enrich.topics import LEXICON, TopicLexicon, lexicon, topic_scores
from streams.records import EnrichedArticle, Tag
from streams.text.normalize import matching_key


@dataclass(frozen=True, slots=True)
class EntityEnricher:
    """People, organisations and places with offsets, keys and labels: the taggers over the whole batch
    at once, the gazetteer and the learned names, then mentions resolved (streams.enrich.mentions)."""

    recognizers: Recognizers
    gazetteer: Gazetteer
    spellings: Spellings
    name: ClassVar[str] = "entities"
    data_files: ClassVar[tuple[Path, ...]] = (*MODEL_PATHS.values(), NAMES, REVIEW_LISTS, SPELLINGS)
    fields: ClassVar[tuple[str, ...]] = ("entities",)
    annotations: ClassVar[Mapping[str, DocumentField]] = NO_ANNOTATIONS

    @classmethod
    def load(cls) -> EntityEnricher:
        recognizers = {language: default_recognizer(language) for language in MODEL_PATHS}
        return cls(recognizers, default_gazetteer(), default_spellings())

    def enrich(self, articles: Sequence[EnrichedArticle], names: KnownNames) -> list[EnrichedArticle]:
        texts = [article_texts(a.article) for a in articles]
        tagged = tagged_entities(
            [(t, a.article.language) for t, a in zip(texts, articles, strict=True)], self.recognizers
        )
        return [
            replace(a, entities=resolve(found, t, self.spellings, names))
            for a, t, entities in zip(articles, texts, tagged, strict=True)
            for found in [recognize(t, a.article.language, self.recognizers, self.gazetteer, names.gazetteer, entities)]
        ]


@dataclass(frozen=True, slots=True)
class TagEnricher:
    """The site's tags, one per spelling group; the most mentioned entities; keyphrases of the title and
    lead (streams.enrich.keyphrases)."""

    spellings: Spellings
    name: ClassVar[str] = "tags"
    data_files: ClassVar[tuple[Path, ...]] = (SPELLINGS, STOPWORDS)
    fields: ClassVar[tuple[str, ...]] = ("tags",)
    annotations: ClassVar[Mapping[str, DocumentField]] = NO_ANNOTATIONS

    @classmethod
    def load(cls) -> TagEnricher:
        return cls(default_spellings())

    def enrich(self, articles: Sequence[EnrichedArticle], names: KnownNames) -> list[EnrichedArticle]:
        return [replace(a, tags=(*a.tags, *self.tags(a))) for a in articles]

    def tags(self, enriched: EnrichedArticle) -> list[Tag]:
        article, entities = enriched.article, enriched.entities
        return [
            *page_tags(article.page_tags, entities, self.spellings),
            *entity_tags(entities),
            *keyphrases(article.title, article.body, article.language, entities),
        ]


@dataclass(frozen=True, slots=True)
class TopicEnricher:
    """Topic labels from the topic lexicon, named in the article's language (its names in the other
    languages as aliases) and keyed like every tag by its label's matching key."""

    lexicon: TopicLexicon
    data_files: tuple[Path, ...]
    name: ClassVar[str] = "topics"
    fields: ClassVar[tuple[str, ...]] = ("tags",)
    annotations: ClassVar[Mapping[str, DocumentField]] = NO_ANNOTATIONS

    @classmethod
    def load(cls, path: Path | None = None) -> TopicEnricher:
        """``path``: a topic lexicon of one's own (None: the shipped one)."""
        return cls(lexicon(path or LEXICON), (path or LEXICON,))

    def enrich(self, articles: Sequence[EnrichedArticle], names: KnownNames) -> list[EnrichedArticle]:
        return [replace(a, tags=(*a.tags, *self.topics(a))) for a in articles]

    def topics(self, enriched: EnrichedArticle) -> list[Tag]:
        article = enriched.article
        text = f"{article.title}\n{body_text(article)}"
        return [
            Tag(label, matching_key(label), "topic", score, self.lexicon.aliases(topic, article.language))
            for topic, score in topic_scores(text, self.lexicon)
            for label in [self.lexicon.label(topic, article.language)]
        ]
