"""Shares learned names and aliases (streams.enrich.names) between workers through a compacted Kafka topic:
a name is keyed by its matching key with its entity type as the value; an alias is keyed
``alias:<short key>`` with ``{"full_key", "label"}`` (JSON) as the value.

Each worker appends what it learns to the topic and reads the whole topic with its own group-less
consumer, so every worker (and every restarted one) ends up with every name. A Faust GlobalTable did
the same job but stalled the worker's streams after repeated rebalances (see tests/integration/
test_faults.py), so this is a plain aiokafka reader instead.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping, Sequence
from typing import Any

import orjson

from streams.enrich.names import Alias, NameDictionary
from streams.kafka.reader import follow_topic
from streams.settings import Settings

log = logging.getLogger(__name__)
ALIAS_PREFIX = "alias:"


class SharedNames:
    def __init__(self, settings: Settings, names: NameDictionary, topic: Any) -> None:
        self.settings = settings
        self.names = names
        self._topic = topic
        self._inbox: dict[str, str] = {}
        self.caught_up = asyncio.Event()  # set once the names shared before this worker started are read
        self._alias_inbox: list[tuple[str, Alias]] = []

    def merge(self) -> NameDictionary:
        """Fold names read from the topic into the dictionary (call on the event loop, between batches)."""
        if self._inbox:
            self.names.update(self._inbox)
            self._inbox = {}
        if self._alias_inbox:
            self.names.update_aliases(self._alias_inbox)
            self._alias_inbox = []
        return self.names

    async def publish(self, learned: Mapping[str, str], aliases: Mapping[str, Alias]) -> None:
        """Append names and aliases a batch taught to the topic. Names only help recognition, so a failure
        is logged."""
        try:
            for name, kind in learned.items():
                await self._topic.send(key=name.encode("utf-8"), value=kind.encode("utf-8"))
            for short_key, alias in aliases.items():
                value = orjson.dumps({"full_key": alias.full_key, "label": alias.label})
                await self._topic.send(key=f"{ALIAS_PREFIX}{short_key}".encode(), value=value)
        except Exception:
            log.exception("could not share %d learned names and %d aliases", len(learned), len(aliases))

    async def read_forever(self) -> None:
        """Read the names topic from the beginning and keep following it (streams.kafka.reader)."""
        await follow_topic(self.settings, self.settings.topics.names, self._take, caught_up=self.caught_up.set)

    async def wait_caught_up(self, seconds: float) -> None:
        """Wait (at most ``seconds``: names only help recognition) until the names other workers shared
        before this one started are read, so a restarted worker recognises them from its first batch."""
        try:
            await asyncio.wait_for(self.caught_up.wait(), timeout=seconds)
        except TimeoutError:
            log.warning("learned names not read within %.0f s; processing without the rest", seconds)

    async def _take(self, messages: Sequence[Any]) -> None:
        for message in messages:
            if not (message.key and message.value):
                continue
            key = message.key.decode("utf-8")
            if key.startswith(ALIAS_PREFIX):
                alias = orjson.loads(message.value)
                self._alias_inbox.append((key.removeprefix(ALIAS_PREFIX), Alias(alias["full_key"], alias["label"])))
            else:
                self._inbox[key] = message.value.decode("utf-8")
