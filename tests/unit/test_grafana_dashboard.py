"""deploy/grafana's dashboard queries only metrics the code exports, under the names it exports."""

from __future__ import annotations

import re
from pathlib import Path

import orjson
import pytest
from prometheus_client.metrics import MetricWrapperBase

from streams.metrics import Metrics
from tests.conftest import ROOT

pytestmark = pytest.mark.unit

DASHBOARD = ROOT / "deploy" / "grafana" / "newsflow-dashboard.json"
SUFFIXES = {"counter": ("_total",), "gauge": ("",), "histogram": ("_bucket", "_sum", "_count")}


def exported_series() -> dict[str, set[str]]:
    """Series name -> label names, for every metric streams.metrics defines (prometheus-client keeps a
    metric's name, type and label names on the object)."""
    series: dict[str, set[str]] = {}
    for metric in vars(Metrics()).values():
        if isinstance(metric, MetricWrapperBase):
            for suffix in SUFFIXES[str(metric._type)]:
                series[metric._name + suffix] = set(metric._labelnames) | ({"le"} if suffix == "_bucket" else set())
    return series


def test_every_query_uses_exported_metrics_and_labels() -> None:
    dashboard = orjson.loads(Path(DASHBOARD).read_bytes())
    series = exported_series()
    expressions = [target["expr"] for panel in dashboard["panels"] for target in panel["targets"]]
    assert len(expressions) >= 9
    used = set()
    for expression in expressions:
        for name in re.findall(r"\bnewsflow_[a-z_]+", expression):
            assert name in series, f"{name} is not exported"
            used.add(name)
            for group in re.findall(r"by \(([^)]*)\)", expression):
                labels = {label.strip() for label in group.split(",")}
                assert labels <= series[name], f"{expression}: {labels - series[name]} not labels of {name}"
    assert {"newsflow_records_total", "newsflow_consumer_lag", "newsflow_end_to_end_seconds_bucket"} <= used
