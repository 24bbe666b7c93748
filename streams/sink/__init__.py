"""Sink stage: EnrichedArticle -> Elasticsearch documents, written in bulk."""
