"""The records (streams/records.py) and the topic schemas (schemas/topics) describe the same shapes:
every field of a record is a property of its schema, every property a field (except the ``deprecated``
ones that old values still carry and readers still accept), and a field without a default is required
(by the first of the alternatives where old values are allowed another shape)."""

from __future__ import annotations

import dataclasses
import types
import typing
from typing import Any

import pytest

from streams.records import DeadLetter, EnrichedArticle, RawArticle
from streams.schemas import TOPIC_SCHEMAS, load_json


def resolve(node: dict[str, Any], root: dict[str, Any]) -> dict[str, Any]:
    if "$ref" in node:
        return resolve(root["$defs"][node["$ref"].removeprefix("#/$defs/")], root)
    if node.get("type") == "array" and "items" in node:
        return resolve(node["items"], root)
    return node


def record_class(annotation: Any) -> type[Any] | None:
    """The dataclass an annotation holds (``Outlet``, ``tuple[Entity, ...]``), if any."""
    if dataclasses.is_dataclass(annotation) and isinstance(annotation, type):
        return annotation
    for argument in typing.get_args(annotation):
        found = record_class(argument)
        if found is not None:
            return found
    return None


def compare(record: type[Any], node: dict[str, Any], root: dict[str, Any], path: str) -> list[str]:
    problems = []
    hints = typing.get_type_hints(record)
    fields = {f.name: f for f in dataclasses.fields(record)}
    properties = {name for name, spec in node.get("properties", {}).items() if not spec.get("deprecated")}
    problems += [f"{path}.{name}: a field the schema lacks" for name in sorted(set(fields) - properties)]
    problems += [f"{path}.{name}: a property the record lacks" for name in sorted(properties - set(fields))]
    mandatory = {
        name
        for name, f in fields.items()
        if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING
    }
    required = set(node.get("required", []))
    for alternatives in [node.get("anyOf", []), *(part.get("anyOf", []) for part in node.get("allOf", []))]:
        required |= set(alternatives[0]["required"]) if alternatives else set()  # today's shape comes first
    problems += [f"{path}.{name}: required by the record only" for name in sorted(mandatory - required)]
    problems += [f"{path}.{name}: required by the schema only" for name in sorted(required - set(fields))]
    for name in fields.keys() & properties:
        nested = record_class(hints[name])
        if nested is not None and not isinstance(hints[name], types.UnionType):
            problems += compare(nested, resolve(node["properties"][name], root), root, f"{path}.{name}")
    return problems


@pytest.mark.parametrize(
    ("record", "kind"), [(RawArticle, "raw"), (EnrichedArticle, "enriched"), (DeadLetter, "dead_letter")]
)
def test_record_and_topic_schema_agree(record: type[Any], kind: str) -> None:
    schema = load_json(TOPIC_SCHEMAS[kind])
    assert compare(record, schema, schema, record.__name__) == []
