"""newsflow: streaming ingestion of news articles, Arabic first (Kafka -> Faust -> Elasticsearch)."""
