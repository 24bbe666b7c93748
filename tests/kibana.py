"""The Kibana saved objects of ``deploy/kibana/newsflow.ndjson``, read the way Kibana reads them.

Kibana keeps several attributes as JSON inside strings (``visState``, ``panelsJSON``,
``kibanaSavedObjectMeta.searchSourceJSON``). This module decodes them, lists the index fields each
object relies on, and rebuilds the aggregation an aggregation-based visualization sends, so the assets
can be checked against a real index without running Kibana.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

ASSETS = Path(__file__).resolve().parent.parent / "deploy" / "kibana" / "newsflow.ndjson"
CALENDAR_UNITS = frozenset("mhdwMqy")  # date_histogram intervals that are one calendar unit ("d" -> "1d")
_QUOTED = re.compile(r'"(?:[^"\\]|\\.)*"')
_FIELD = re.compile(r"([A-Za-z_][\w.]*)\s*:")


@dataclass(frozen=True, slots=True)
class Reference:
    """A saved object's link to another one; ``name`` is how the attributes refer to it."""

    name: str
    type: str
    id: str


@dataclass(frozen=True, slots=True)
class FieldUse:
    """One index field a saved object relies on."""

    field: str
    role: str  # where the object uses it: "time field", "query", "column", "sort", or the aggregation type
    aggregatable: bool  # aggregated, sorted or time-filtered on: the field needs doc values


@dataclass(frozen=True, slots=True)
class SavedObject:
    type: str
    id: str
    attributes: dict[str, Any]
    references: tuple[Reference, ...]

    @property
    def title(self) -> str:
        return str(self.attributes["title"])

    def reference(self, name: str) -> Reference:
        found = [ref for ref in self.references if ref.name == name]
        if len(found) != 1:
            raise KeyError(f"{self.type} {self.id}: {len(found)} references named {name!r}")
        return found[0]

    def search_source(self) -> dict[str, Any]:
        """The decoded ``searchSourceJSON``: query, filters and ``indexRefName`` (empty if there is none)."""
        meta = self.attributes.get("kibanaSavedObjectMeta", {})
        source: dict[str, Any] = orjson.loads(meta.get("searchSourceJSON", "{}"))
        return source

    def data_view(self) -> Reference:
        """The data view the object searches, through the reference its search source names."""
        return self.reference(self.search_source()["indexRefName"])

    def aggs(self) -> list[dict[str, Any]]:
        """The enabled aggregations of a visualization's ``visState``, in editor order."""
        aggs: list[dict[str, Any]] = orjson.loads(self.attributes["visState"])["aggs"]
        return [agg for agg in aggs if agg.get("enabled", True)]

    def panels(self) -> list[Reference]:
        """What a dashboard's panels show. Kibana 8 names a panel's reference
        ``<panelIndex>:<panelRefName>``."""
        panels: list[dict[str, Any]] = orjson.loads(self.attributes["panelsJSON"])
        return [self.reference(f"{panel['panelIndex']}:{panel['panelRefName']}") for panel in panels]


def load(path: Path = ASSETS) -> list[SavedObject]:
    """The saved objects of an export file, one JSON object per line."""
    objects = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            data = orjson.loads(line)
            references = tuple(Reference(name=r["name"], type=r["type"], id=r["id"]) for r in data["references"])
            objects.append(SavedObject(data["type"], data["id"], data["attributes"], references))
    return objects


def query_fields(query: str) -> list[str]:
    """Fields named in a Lucene or KQL query (``field:value``); quoted values are dropped first, so a
    colon inside a phrase is not read as a field."""
    return list(dict.fromkeys(_FIELD.findall(_QUOTED.sub('""', query))))


def free_text_query(query: str) -> dict[str, Any]:
    """The query Kibana sends for free-text KQL (no field names): a quoted phrase is a phrase match,
    other text matches any of its words, both leniently on the index's ``index.query.default_field``."""
    if query_fields(query):
        raise ValueError(f"not free text: {query!r} names fields")
    text = query.strip()
    if _QUOTED.fullmatch(text):
        return {"multi_match": {"query": text[1:-1], "type": "phrase", "lenient": True}}
    return {"multi_match": {"query": text, "lenient": True}}


def field_uses(obj: SavedObject) -> list[FieldUse]:
    """Every index field the object names: a data view's time field, a search source's query fields,
    a saved search's columns and sort fields, a visualization's aggregation fields."""
    uses: list[FieldUse] = []
    if obj.type == "index-pattern" and obj.attributes.get("timeFieldName"):
        uses.append(FieldUse(obj.attributes["timeFieldName"], "time field", True))
    query = obj.search_source().get("query", {}).get("query", "")
    uses += [FieldUse(field, "query", False) for field in query_fields(query)]
    uses += [FieldUse(column, "column", False) for column in obj.attributes.get("columns", [])]
    uses += [FieldUse(field, "sort", True) for field, _ in obj.attributes.get("sort", [])]
    if obj.type == "visualization":
        uses += [FieldUse(agg["params"]["field"], agg["type"], True) for agg in obj.aggs() if "field" in agg["params"]]
    return uses


def aggregation_request(vis: SavedObject) -> dict[str, Any]:
    """The ``aggs`` of the search Kibana sends for an aggregation-based visualization: its bucket
    aggregations nested in editor order, each under its agg id. The ``count`` metric is each bucket's
    ``doc_count``, so it adds no aggregation of its own."""
    aggs = vis.aggs()
    counts = {agg["id"] for agg in aggs if agg["type"] == "count"}
    request: dict[str, Any] = {}
    for agg in reversed([agg for agg in aggs if agg["type"] != "count"]):
        node: dict[str, Any] = {agg["type"]: _bucket_body(agg, counts)}
        if request:
            node["aggs"] = request
        request = {agg["id"]: node}
    return request


def _bucket_body(agg: dict[str, Any], count_ids: set[str]) -> dict[str, Any]:
    params = agg["params"]
    body: dict[str, Any]
    if agg["type"] == "terms":
        if params["orderBy"] not in count_ids:
            raise ValueError(f"agg {agg['id']}: only terms ordered by a count metric are supported")
        body = {"field": params["field"], "size": params["size"], "order": {"_count": params["order"]}}
    elif agg["type"] == "date_histogram":
        if params["interval"] not in CALENDAR_UNITS:
            raise ValueError(f"agg {agg['id']}: interval {params['interval']!r} is not one calendar unit")
        body = {
            "field": params["field"],
            "calendar_interval": f"1{params['interval']}",
            "min_doc_count": params["min_doc_count"],
        }
    else:
        raise ValueError(f"agg {agg['id']}: aggregation type {agg['type']!r} is not supported")
    # The editor's advanced "JSON input" is merged over what its fields produce (how min_doc_count is set).
    extra: dict[str, Any] = orjson.loads(params.get("json") or "{}")
    return {**body, **extra}
