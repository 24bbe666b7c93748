"""docs/settings.md, generated from the settings' declarations (``newsflow settings``)."""

from __future__ import annotations

import re
from typing import Any

from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined

from streams.settings import ENV_PREFIX, Group, flat_names, groups

HEADER = """# Settings

Generated from `streams/settings.py` by `newsflow settings` (a unit test checks this page is current).
Every setting is read from its `NEWSFLOW_*` variable, or given explicitly by its flat name
(`Settings(topic_partitions=8)`) or its group (`Settings(topics={"partitions": 8})`); explicit beats the
environment, which beats the default. Code reads a group: `settings.topics.partitions`. Lists take
JSON (`["a", "b"]`) or commas (`a,b`); secrets are never printed or logged.
"""


def _type_name(info: FieldInfo) -> str:
    text = str(info.annotation).replace("typing.", "").replace("pathlib.", "").replace("pydantic.types.", "")
    text = re.sub(r"<class '(\w+)'>", r"\1", text)
    return text.replace("Literal[", "one of [").replace("NoneType", "None")


def _default(info: FieldInfo) -> str:
    if info.default_factory is not None and info.default is PydanticUndefined:
        return "(computed)"
    value: Any = info.default
    if isinstance(value, tuple):
        return ", ".join(value) or "(none)"
    return "(none)" if value is None else str(value)


def _row(flat: str, info: FieldInfo) -> str:
    cells = (f"`{ENV_PREFIX}{flat.upper()}`", _type_name(info), f"`{_default(info)}`", info.description or "")
    return "| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |"


def settings_table() -> str:
    by_field = {value: flat for flat, value in flat_names().items()}
    lines = [HEADER]
    top = [(name, info) for name, info, group in groups() if group is None]
    sections: list[tuple[str, str, list[tuple[str, FieldInfo]]]] = [
        ("general", "", [(by_field[(name, None)], info) for name, info in top])
    ]
    for name, _, group in groups():
        if group is not None:
            rows = [(by_field[(name, field)], info) for field, info in group.model_fields.items()]
            sections.append((name, _doc(group), rows))
    for title, doc, rows in sections:
        lines += [f"## `{title}`", ""]
        if doc:
            lines += [doc, ""]
        lines += ["| variable | type | default | meaning |", "|---|---|---|---|"]
        lines += [_row(flat, info) for flat, info in rows]
        lines.append("")
    return "\n".join(lines)


def _doc(group: type[Group]) -> str:
    return " ".join((group.__doc__ or "").split()) if group.__doc__ != Group.__doc__ else ""
