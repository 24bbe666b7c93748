from __future__ import annotations

import pytest
from aiokafka.errors import KafkaConnectionError, KafkaTimeoutError, MessageSizeTooLargeError
from elastic_transport import ConnectionTimeout, TlsError

from streams.errors import BackpressureError, PoisonRecordError, TransientError
from streams.retry import Backoff, is_transient, retrying

NO_WAIT = Backoff(max_seconds=0.001, first_seconds=0.0001)


@pytest.mark.parametrize(
    ("error", "transient"),
    [
        (TransientError("story log"), True),
        (BackpressureError("429"), True),
        (KafkaTimeoutError(), True),
        (KafkaConnectionError(), True),
        (ConnectionTimeout("timed out"), True),
        (ConnectionRefusedError(), True),
        (TlsError("certificate verify failed"), False),
        (MessageSizeTooLargeError(), False),
        (PoisonRecordError("index", "schema", "bad record"), False),
        (TypeError("a bug"), False),
        (KeyError("a bug"), False),
    ],
    ids=lambda value: type(value).__name__ if isinstance(value, Exception) else str(value),
)
def test_transient_is_a_matter_of_type(error: Exception, transient: bool) -> None:
    assert is_transient(error) is transient


async def test_transient_failures_are_retried_and_counted() -> None:
    failures = [TransientError("down"), KafkaTimeoutError(), BackpressureError("429")]
    counted: list[tuple[str, str]] = []

    async def action() -> str:
        if failures:
            raise failures.pop(0)
        return "done"

    assert await retrying("writing", action, NO_WAIT, lambda what, cause: counted.append((what, cause))) == "done"
    assert counted == [("writing", "unavailable"), ("writing", "unavailable"), ("writing", "throttled")]


async def test_a_bug_is_raised_at_once_not_retried() -> None:
    calls: list[str] = []

    async def action() -> None:
        calls.append("call")
        raise TypeError("unsupported operand")

    with pytest.raises(TypeError, match="unsupported operand"):
        await retrying("writing", action, NO_WAIT, lambda what, cause: calls.append(what))
    assert calls == ["call"]


def test_backoff_grows_to_its_cap_with_jitter() -> None:
    backoff = Backoff(max_seconds=30.0)
    assert 0.5 <= backoff.delay(1) <= 1.0
    assert 2.0 <= backoff.delay(3) <= 4.0
    assert all(15.0 <= backoff.delay(attempt) <= 30.0 for attempt in (6, 20, 1000))
