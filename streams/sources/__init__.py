"""Sources: read articles as they are delivered (files now; feeds later) and push them to Kafka."""
