"""The one retry policy: capped exponential backoff with jitter, for transient failures only.

A failure is transient when it says so by type: newsflow's ``TransientError`` (and its
``BackpressureError``), Kafka errors the client marks retriable plus its send time-out, connection
errors and time-outs of the Elasticsearch transport (not a TLS failure) and of the OS. Everything else — a bug, a
configuration error, a record no retry will fix — propagates at once, so it is seen, not retried
forever. The layer that waits counts each wait (``on_retry``) with its cause, so
``newsflow_retries_total{action,cause}`` moves during an outage (``unavailable``) and while a downstream
throttles (``throttled``: a ``BackpressureError``, Elasticsearch's 429). Either way the batch is held, so
the consumer takes nothing new meanwhile: that hold is newsflow's backpressure.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Literal, TypeVar

from aiokafka.errors import KafkaError as AsyncKafkaError
from aiokafka.errors import KafkaTimeoutError
from elastic_transport import ConnectionError as TransportConnectionError
from elastic_transport import ConnectionTimeout, TlsError

from streams.errors import BackpressureError, TransientError

log = logging.getLogger(__name__)
T = TypeVar("T")
Cause = Literal["unavailable", "throttled"]
OnRetry = Callable[[str, Cause], None]
TRANSIENT_TYPES = (
    TransientError,
    KafkaTimeoutError,
    TransportConnectionError,
    ConnectionTimeout,
    ConnectionError,
    TimeoutError,
)


def cause_of(exc: BaseException) -> Cause:
    return "throttled" if isinstance(exc, BackpressureError) else "unavailable"


def is_transient(exc: BaseException) -> bool:
    if isinstance(exc, TlsError):  # a certificate that does not verify will not verify next time
        return False
    return isinstance(exc, TRANSIENT_TYPES) or (isinstance(exc, AsyncKafkaError) and exc.retriable)


@dataclass(frozen=True, slots=True)
class Backoff:
    """Waits of ``first_seconds`` × 2^attempt, at most ``max_seconds``, each shortened by up to half at
    random so that workers retrying together spread out."""

    max_seconds: float
    first_seconds: float = 0.5

    def delay(self, attempt: int) -> float:
        longest: float = min(self.max_seconds, self.first_seconds * 2.0 ** min(attempt, 16))
        return longest * random.uniform(0.5, 1.0)


async def retrying(what: str, action: Callable[[], Awaitable[T]], backoff: Backoff, on_retry: OnRetry) -> T:
    """``action``'s result, after as many waits as transient failures take; the caller's stream stays
    paused meanwhile (backpressure). A failure that is not transient is raised at once."""
    attempt = 0
    while True:
        try:
            return await action()
        except Exception as exc:
            if not is_transient(exc):
                raise
            attempt += 1
            on_retry(what, cause_of(exc))
            delay = backoff.delay(attempt)
            log.warning("%s failed (%s: %s); retry %d in %.1fs", what, type(exc).__name__, exc, attempt, delay)
            await asyncio.sleep(delay)


@dataclass(frozen=True, slots=True)
class Retrier:
    """``retrying`` bound to one backoff and one counter (a worker's, counting into its metrics)."""

    backoff: Backoff
    on_retry: OnRetry = lambda what, cause: None

    async def run(self, what: str, action: Callable[[], Awaitable[T]]) -> T:
        return await retrying(what, action, self.backoff, self.on_retry)
