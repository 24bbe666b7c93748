"""Where Arabic spellings are folded for search: by the node, or by newsflow.

With the newsflow-analysis plugin (deploy/elasticsearch-plugin) on every node, the index template gets
``schemas/elasticsearch/articles.server-analysis.json`` merged in: ``title``, ``lead`` and ``body`` are
analyzed with newsflow's matching key and light stems by Elasticsearch itself, so Kibana's search bar
and any ``query_string`` fold spellings, and documents carry no ``*_key``/``*_stem`` copies. Without it
(a cluster where the plugin cannot be installed), newsflow writes those copies and normalizes its own
queries, as before. An index keeps the mode it was created with (its mapping's ``_meta``).
"""

from __future__ import annotations

import copy
from typing import Any

from elasticsearch import AsyncElasticsearch

from streams.errors import ConfigurationError
from streams.schemas import load_json
from streams.settings import Settings

PLUGIN = "newsflow-analysis"
_OVERLAY = load_json("elasticsearch/articles.server-analysis.json")["template"]
_ANALYZERS = _OVERLAY["settings"]["analysis"]["analyzer"]
# The analysis chains as _analyze takes them (the tests send text through them).
KEY_ANALYZER = {k: v for k, v in _ANALYZERS["newsflow_key"].items() if k != "type"}
STEM_ANALYZER = {k: v for k, v in _ANALYZERS["newsflow_stem"].items() if k != "type"}


def _merge(base: dict[str, Any], overlay: dict[str, Any]) -> None:
    for key, value in overlay.items():
        if isinstance(value, dict) and isinstance(base.get(key), dict):
            _merge(base[key], value)
        else:
            base[key] = copy.deepcopy(value)


def with_server_analysis(template: dict[str, Any]) -> dict[str, Any]:
    """The index template with the plugin's analyzers on title, lead and body."""
    merged = copy.deepcopy(template)
    _merge(merged["template"], _OVERLAY)
    return merged


async def plugin_on_every_node(client: AsyncElasticsearch) -> bool:
    # no filter_path: it would drop the nodes that have no plugin at all
    nodes = (await client.nodes.info(metric="plugins"))["nodes"]
    return bool(nodes) and all(PLUGIN in {p["name"] for p in node["plugins"]} for node in nodes.values())


async def choose_server_analysis(client: AsyncElasticsearch, settings: Settings) -> bool:
    """Whether a new index analyzes text on the node: ``settings.elasticsearch.text_analysis``, "auto" by detection."""
    if settings.elasticsearch.text_analysis == "key_fields":
        return False
    present = await plugin_on_every_node(client)
    if settings.elasticsearch.text_analysis == "server" and not present:
        raise ConfigurationError(f"NEWSFLOW_TEXT_ANALYSIS=server but not every node has the {PLUGIN} plugin")
    return present


async def index_has_server_analysis(client: AsyncElasticsearch, alias: str) -> bool:
    """Whether every index behind the alias was made with server-side analysis."""
    mappings = await client.indices.get_mapping(index=alias)
    return all(m["mappings"].get("_meta", {}).get("text_analysis") == "server" for m in mappings.values())
