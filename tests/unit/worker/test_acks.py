"""Only records an agent marked finished become committable (streams.worker.acks): Faust's stream also
acks messages it skips during a rebalance, and committing those lost articles. No broker is contacted:
the consumer's bookkeeping is exercised directly."""

from __future__ import annotations

from faust.types import TP
from faust.types.tuples import ConsumerMessage

from streams.worker.acks import FinishedOnlyConsumer, NewsflowApp

PARTITION = TP("articles", 0)


def message(offset: int) -> ConsumerMessage:
    return ConsumerMessage(
        topic=PARTITION.topic,
        partition=PARTITION.partition,
        offset=offset,
        timestamp=0.0,
        timestamp_type=0,
        headers=None,
        key=b"",
        value=b"",
        checksum=None,
        tp=PARTITION,
    )


async def new_consumer() -> FinishedOnlyConsumer:
    app = NewsflowApp("acks-unit", broker="kafka://127.0.0.1:1", store="memory://", autodiscover=False)
    app.topics.add(app.topic(PARTITION.topic, key_serializer="raw", value_serializer="raw"))
    await app.topics._update_indices()  # type: ignore[attr-defined]  # as subscribing does: acks count
    consumer = app.consumer
    assert isinstance(consumer, FinishedOnlyConsumer)
    return consumer


def finish_and_ack(consumer: FinishedOnlyConsumer, offsets: range) -> None:
    messages = [message(offset) for offset in offsets]
    for tracked in messages:
        consumer.track_message(tracked)
    consumer.finish(messages)
    for acked in messages:
        assert consumer.ack(acked)


async def test_only_finished_messages_are_committable() -> None:
    consumer = await new_consumer()
    done, skipped, after = message(0), message(1), message(2)
    for tracked in (done, skipped, after):
        consumer.track_message(tracked)
    consumer.finish([done, after])

    assert consumer.ack(skipped) is False  # skipped by Faust during a rebalance: released, not committable
    assert consumer.ack(done) is True
    assert consumer.ack(after) is True
    assert not consumer.unacked  # a rebalance's wait_empty does not wait for the skipped one
    assert consumer._new_offset(PARTITION) == 1  # the commit stops before the skipped record


async def test_a_run_whose_head_was_dropped_is_not_committed_but_read_again() -> None:
    consumer = await new_consumer()
    consumer._floor[PARTITION] = 0  # what perform_seek notes for a partition with nothing committed yet
    finish_and_ack(consumer, range(42, 48))  # records 0-41 never reached the agent

    assert consumer._new_offset(PARTITION) is None  # Faust alone would commit 48 here
    assert PARTITION in consumer._rewind  # the next commit seeks the partition back to offset 0

    finish_and_ack(consumer, range(0, 42))  # read again and finished
    assert consumer._new_offset(PARTITION) == 48


async def test_a_head_still_in_a_batch_is_waited_for_not_read_again() -> None:
    consumer = await new_consumer()
    consumer._floor[PARTITION] = 0
    in_flight = [message(offset) for offset in range(0, 42)]  # taken by one actor, still processing
    for tracked in in_flight:
        consumer.track_message(tracked)
    finish_and_ack(consumer, range(42, 48))  # the other actor's later batch finished first

    assert consumer._new_offset(PARTITION) is None  # the commit waits
    assert PARTITION not in consumer._rewind  # but nothing is read again

    consumer.finish(in_flight)
    for acked in in_flight:
        assert consumer.ack(acked)
    assert consumer._new_offset(PARTITION) == 48


async def test_a_partition_read_again_is_not_rewound_again_until_a_record_is_dropped() -> None:
    consumer = await new_consumer()
    consumer._floor[PARTITION] = 0
    finish_and_ack(consumer, range(42, 48))
    assert consumer._new_offset(PARTITION) is None
    consumer._rewound[PARTITION] = 0  # what force_commit notes once it sought back to 0
    consumer._rewind.clear()

    assert consumer._new_offset(PARTITION) is None
    assert PARTITION not in consumer._rewind  # the records read again are on their way

    dropped = message(0)
    consumer.track_message(dropped)
    assert consumer.ack(dropped) is False  # the read again head was dropped too (skipped or given up)
    assert consumer._new_offset(PARTITION) is None
    assert PARTITION in consumer._rewind  # so the partition is read again once more
