"""The analysis plugin's tables are current with streams.text.normalize, and the server-analysis template."""

from __future__ import annotations

import pytest

from streams.schemas import articles_index_template
from streams.sink.analysis import with_server_analysis
from streams.text.normalize import matching_key, matching_key_table
from streams.text.plugin_tables import RESOURCES, TABLES

pytestmark = pytest.mark.unit


@pytest.mark.parametrize("name", TABLES)
def test_the_plugin_tables_are_current(name: str) -> None:
    """If this fails, streams/text/normalize.py changed: run ``python -m streams.text.plugin_tables``."""
    assert (RESOURCES / name).read_text(encoding="utf-8") == TABLES[name]()


def test_the_key_table_is_the_key_of_each_character() -> None:
    table = matching_key_table()
    for cp in (0x0623, 0x06CC, 0x0640, 0x200F, 0x0661, 0x0041, 0xFEF5, 0x3000):
        value = table.get(cp, chr(cp))
        assert matching_key(f"a{chr(cp)}b") == "a" + (value or "") + "b"
    assert table[0x0640] is None
    assert table[0x06CC] == "ي"
    assert table[0x3000] == " "
    assert 0xFEF5 not in table  # lam-alef stays a ligature


def test_server_analysis_analyzes_title_lead_and_body_and_keeps_the_rest() -> None:
    base = articles_index_template("a-*", 0)
    merged = with_server_analysis(base)["template"]
    properties = merged["mappings"]["properties"]
    for field in ("title", "lead", "body"):
        assert properties[field]["analyzer"] == "newsflow_key"
        assert properties[field]["fields"]["stem"]["analyzer"] == "newsflow_stem"
    assert properties["title"]["fields"]["raw"] == base["template"]["mappings"]["properties"]["title"]["fields"]["raw"]
    assert {k: v for k, v in properties.items() if k not in ("title", "lead", "body")} == {
        k: v for k, v in base["template"]["mappings"]["properties"].items() if k not in ("title", "lead", "body")
    }
    assert merged["settings"]["index"]["query"]["default_field"] == [
        "title",
        "title.stem",
        "lead",
        "lead.stem",
        "body",
        "body.stem",
    ]
    assert merged["mappings"]["_meta"] == {"text_analysis": "server"}
    assert set(merged["settings"]["analysis"]["analyzer"]) == {"newsflow_text", "newsflow_key", "newsflow_stem"}
    assert "query" not in base["template"]["settings"]["index"]  # the base template is left as it was
