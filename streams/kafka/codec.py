"""Topic values <-> typed records. Values are orjson bytes checked against ``schemas/topics``."""

from __future__ import annotations

import base64
from datetime import UTC, datetime
from typing import Any

import orjson

from streams.errors import UNEXPECTED, PoisonRecordError, Stage
from streams.records import DeadLetter, EnrichedArticle, KafkaPosition, RawArticle, from_value
from streams.schemas import validation_errors

MAX_ERRORS_IN_MESSAGE = 3
MAX_DEAD_LETTER_PAYLOAD = 256 * 1024


def encode(record: Any) -> bytes:
    return orjson.dumps(record)


def _decode(kind: str, value: bytes, stage: Stage) -> dict[str, Any]:
    try:
        value.decode("utf-8")
    except UnicodeDecodeError as exc:
        message = f"value is not valid UTF-8 (byte {exc.start}: {exc.reason})"
        raise PoisonRecordError(stage, "bad_encoding", message) from exc
    try:
        data = orjson.loads(value)
    except orjson.JSONDecodeError as exc:
        raise PoisonRecordError(stage, "bad_json", f"value is not valid JSON: {exc}") from exc
    if not isinstance(data, dict):
        raise PoisonRecordError(stage, "bad_json", f"value is a JSON {type(data).__name__}, not an object")
    errors = validation_errors(kind, data)
    if errors:
        raise PoisonRecordError(
            stage, "schema", f"{kind} record violates its schema: " + "; ".join(errors[:MAX_ERRORS_IN_MESSAGE])
        )
    return data


def decode_raw(value: bytes) -> RawArticle:
    data = _decode("raw", value, "decode")
    try:
        return from_value(RawArticle, data)
    except ValueError as exc:  # a value the schema's types allow but the record cannot hold (a bad timestamp)
        raise PoisonRecordError("decode", "schema", f"raw record has an invalid value: {exc}") from exc


def decode_enriched(value: bytes) -> EnrichedArticle:
    data = _decode("enriched", value, "index")
    try:
        return from_value(EnrichedArticle, data)
    except ValueError as exc:
        raise PoisonRecordError("index", "schema", f"enriched record has an invalid value: {exc}") from exc


def dead_letter(
    stage: Stage,
    error: BaseException,
    payload: bytes,
    position: KafkaPosition,
    message_key: bytes | None = None,
    attempts: int = 1,
) -> DeadLetter:
    """A dead letter with its reason (the PoisonRecordError's, else the stage's unexpected-error reason)
    that keeps the original payload (as text when it is UTF-8, else base64), cut to
    MAX_DEAD_LETTER_PAYLOAD bytes so that the dead letter itself always fits in a Kafka message."""
    truncated = len(payload) > MAX_DEAD_LETTER_PAYLOAD
    payload = payload[:MAX_DEAD_LETTER_PAYLOAD]
    try:
        text, encoding = payload.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        text, encoding = base64.b64encode(payload).decode("ascii"), "base64"
    return DeadLetter(
        stage=stage,
        reason=error.reason if isinstance(error, PoisonRecordError) else UNEXPECTED[stage],
        error_class=type(error).__name__,
        error_message=str(error)[:2000],
        payload=text,
        payload_encoding=encoding,  # type: ignore[arg-type]
        position=position,
        failed_at=datetime.now(UTC),
        attempts=attempts,
        message_key=message_key.decode("utf-8", errors="replace") if message_key is not None else None,
        extra={"payload_truncated": True, "payload_bytes": len(payload)} if truncated else {},
    )
