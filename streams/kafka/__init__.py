"""Kafka plumbing: client security options, topics, whole-topic readers, topic value codecs, the
shared learned-name topic and the dead-letter topic."""
