"""Which analysis a new index gets: the plugin on every node, or newsflow's key fields (a stub node info)."""

from __future__ import annotations

from typing import Any, Literal, cast

import pytest
from elasticsearch import AsyncElasticsearch

from streams.errors import ConfigurationError
from streams.settings import Settings
from streams.sink.analysis import PLUGIN, choose_server_analysis

pytestmark = pytest.mark.unit


class Nodes:
    def __init__(self, plugins_per_node: list[list[str]]) -> None:
        self.plugins_per_node = plugins_per_node

    async def info(self, **_: Any) -> dict[str, Any]:
        nodes = {
            f"n{i}": {"plugins": [{"name": p} for p in plugins]} for i, plugins in enumerate(self.plugins_per_node)
        }
        return {"nodes": nodes}


def client(*plugins_per_node: list[str]) -> AsyncElasticsearch:
    stub = type("Client", (), {"nodes": Nodes(list(plugins_per_node))})()
    return cast(AsyncElasticsearch, stub)


@pytest.mark.parametrize(
    ("nodes", "mode", "expected"),
    [
        (([PLUGIN], [PLUGIN, "other"]), "auto", True),
        (([PLUGIN], ["other"]), "auto", False),  # one node without it: documents would analyze differently
        (([],), "auto", False),
        (([PLUGIN],), "key_fields", False),
        (([PLUGIN],), "server", True),
    ],
)
async def test_server_analysis_needs_the_plugin_on_every_node(
    nodes: tuple[list[str], ...], mode: Literal["auto", "server", "key_fields"], expected: bool
) -> None:
    assert await choose_server_analysis(client(*nodes), Settings(text_analysis=mode)) is expected


async def test_forcing_server_analysis_without_the_plugin_fails_clearly() -> None:
    with pytest.raises(ConfigurationError, match=PLUGIN):
        await choose_server_analysis(client(["other"]), Settings(text_analysis="server"))
