"""Parse stage: raw delivered articles -> ParsedArticle (pure functions) and its Faust agent."""
