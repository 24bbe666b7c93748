"""Enrich stage: ParsedArticle -> EnrichedArticle (tags deduplicated across spellings)."""
