"""The contract streams.worker.acks rests on, checked against the real Faust consumer and broker (it
overrides Faust internals: ``ack``, ``_new_offset``, ``perform_seek``, ``wait_empty``, ``force_commit``; a
Faust upgrade that changes when they are called fails here, not in production).

Two NewsflowApps in one group on a two-partition topic: the first takes every record but leaves five of
partition 0 unfinished (a batch lost to a crash or a rebalance); its commits must stop before them
although Faust's stream acks them. The second joins (a real rebalance): the unfinished records must be
read again, by whichever app holds partition 0 now, and once finished everything is committed."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any
from uuid import uuid4

import pytest
from kafka import KafkaConsumer, KafkaProducer, TopicPartition
from kafka.admin import KafkaAdminClient, NewTopic

from streams.kafka.security import faust_credentials, kafka_python_options
from streams.settings import Settings
from streams.worker.acks import NewsflowApp, finished
from tests.integration.conftest import wait_for

pytestmark = pytest.mark.integration

PER_PARTITION = 20
HELD = range(15, 20)  # partition 0's records the first app leaves unfinished until the rebalance

Taken = list[tuple[str, int, int, bool]]  # (app, partition, offset, finished)


def contract_app(
    settings: Settings, group: str, topic: str, name: str, taken: Taken, holds: Callable[[int, int], bool]
) -> NewsflowApp:
    app = NewsflowApp(
        group,
        broker=f"kafka://{settings.kafka.bootstrap_servers}",
        broker_credentials=faust_credentials(settings.kafka),
        store="memory://",
        autodiscover=False,
        web_enabled=False,
        consumer_auto_offset_reset="earliest",
        broker_commit_interval=0.5,
        topic_disable_leader=True,
        broker_session_timeout=6,
        broker_heartbeat_interval=1.5,
        broker_rebalance_timeout=18,
    )
    source = app.topic(topic, key_serializer="raw", value_serializer="raw", internal=False)

    async def take(stream: Any) -> None:
        async for events in stream.take_events(5, within=0.3):
            done = [e for e in events if not holds(e.message.partition, e.message.offset)]
            taken.extend((name, e.message.partition, e.message.offset, e in done) for e in events)
            finished(stream, done)

    app.agent(source, name=f"{topic}.take")(take)
    return app


def committed(settings: Settings, group: str, topic: str) -> dict[int, int | None]:
    consumer = KafkaConsumer(group_id=group, enable_auto_commit=False, **kafka_python_options(settings.kafka))
    try:
        return {p: consumer.committed(TopicPartition(topic, p)) for p in (0, 1)}
    finally:
        consumer.close()


@pytest.mark.timeout(180)
async def test_unfinished_records_are_not_committed_and_are_read_again_after_a_rebalance(settings: Settings) -> None:
    topic, group = f"{settings.topics.name_prefix}.contract", f"{settings.worker.app_id}-contract-{uuid4().hex[:6]}"
    admin = KafkaAdminClient(**kafka_python_options(settings.kafka))
    admin.create_topics([NewTopic(topic, 2, settings.topics.replication_factor)])
    producer = KafkaProducer(acks="all", **kafka_python_options(settings.kafka))
    for partition in (0, 1):
        for n in range(PER_PARTITION):
            producer.send(topic, value=f"{partition}-{n}".encode(), partition=partition)
    producer.flush()
    producer.close()
    taken: Taken = []
    rebalanced = asyncio.Event()
    first = contract_app(
        settings, group, topic, "first", taken, lambda p, o: p == 0 and o in HELD and not rebalanced.is_set()
    )
    second = contract_app(settings, group, topic, "second", taken, lambda p, o: False)
    try:
        await first.start()

        async def first_pass_committed() -> dict[int, int | None] | None:
            offsets = await asyncio.to_thread(committed, settings, group, topic)
            return (
                offsets if offsets[1] == PER_PARTITION and offsets[0] is not None and offsets[0] >= HELD.start else None
            )

        offsets = await wait_for(first_pass_committed, timeout=60)
        await asyncio.sleep(2)  # several commit intervals: the held records must still not be committed
        assert (
            await asyncio.to_thread(committed, settings, group, topic) == offsets == {0: HELD.start, 1: PER_PARTITION}
        )
        assert {(p, o) for _, p, o, done in taken if not done} == {(0, o) for o in HELD}  # taken, acked, not finished

        rebalanced.set()
        await second.start()  # the group rebalances

        async def all_committed() -> bool:
            return await asyncio.to_thread(committed, settings, group, topic) == {0: PER_PARTITION, 1: PER_PARTITION}

        await wait_for(all_committed, timeout=90)
        again = [(name, o) for name, p, o, done in taken if p == 0 and o in HELD and done]
        assert {o for _, o in again} == set(HELD)  # read again after the rebalance and finished
        assert {(p, o) for _, p, o, done in taken if done} == {(p, o) for p in (0, 1) for o in range(PER_PARTITION)}
    finally:
        await second.stop()
        await first.stop()
        admin.delete_topics([topic])
        admin.close()
