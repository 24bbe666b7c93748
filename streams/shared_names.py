"""Shares learned names (streams.enrich.names) between workers through a compacted Kafka topic.

Each worker appends what it learns to the topic and reads the whole topic with its own group-less
consumer, so every worker (and every restarted one) ends up with every name. A Faust GlobalTable did
the same job but stalled the worker's streams after repeated rebalances (see tests/integration/
test_faults.py), so this is a plain aiokafka reader instead.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from aiokafka import AIOKafkaConsumer, TopicPartition

from streams.enrich.names import NameDictionary
from streams.kafka_security import aiokafka_options
from streams.settings import Settings

log = logging.getLogger(__name__)


class SharedNames:
    def __init__(self, settings: Settings, names: NameDictionary, topic: Any) -> None:
        self.settings = settings
        self.names = names
        self._topic = topic
        self._inbox: dict[str, str] = {}

    def merge(self) -> NameDictionary:
        """Fold names read from the topic into the dictionary (call on the event loop, between batches)."""
        if self._inbox:
            self.names.update(self._inbox)
            self._inbox = {}
        return self.names

    async def publish_learned(self) -> None:
        """Append newly learned names to the topic. Names only help recognition, so a failure is logged."""
        learned = self.names.drain_learned()
        try:
            for name, kind in learned.items():
                await self._topic.send(key=name.encode("utf-8"), value=kind.encode("utf-8"))
        except Exception:
            log.exception("could not share %d learned names", len(learned))

    async def read_forever(self) -> None:
        """Read the names topic from the beginning and keep following it, reconnecting after errors."""
        while True:
            consumer = AIOKafkaConsumer(
                **aiokafka_options(self.settings),
                enable_auto_commit=False,
                auto_offset_reset="earliest",
            )
            try:
                await consumer.start()
                partitions = await consumer._client.fetch_all_metadata()
                ids = partitions.partitions_for_topic(self.settings.names_topic) or set()
                consumer.assign([TopicPartition(self.settings.names_topic, p) for p in ids])
                await consumer.seek_to_beginning()
                while True:
                    batches = await consumer.getmany(timeout_ms=1000)
                    for messages in batches.values():
                        for message in messages:
                            if message.key and message.value:
                                self._inbox[message.key.decode("utf-8")] = message.value.decode("utf-8")
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("reading learned names failed; retrying in 5 s")
                await asyncio.sleep(5)
            finally:
                await consumer.stop()
