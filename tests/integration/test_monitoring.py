"""The monitoring stack for real: deploy/local/prometheus (Debian's Prometheus) scrapes a worker and a
feed producer while articles, a copy, an empty feed entry and a broken value flow, and Elasticsearch is
unreachable for the worker's first seconds (so it retries). Then every query of the Grafana dashboard
returns data from that Prometheus, every rule of deploy/prometheus/alerts.yaml evaluates without error,
and stopping the worker fires NewsflowWorkerDown."""

from __future__ import annotations

import contextlib
import math
import os
import re
import socket
import subprocess
import sys
import threading
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import orjson
import pytest
from elasticsearch import AsyncElasticsearch
from kafka import KafkaProducer

from streams.kafka.security import kafka_python_options
from streams.settings import Settings
from tests.conftest import ROOT
from tests.integration.conftest import free_port, indexed_ids, metric_samples, settings_env, wait_for

pytestmark = pytest.mark.integration

DASHBOARD = ROOT / "deploy" / "grafana" / "newsflow-dashboard.json"
PROMETHEUS_SCRIPT = ROOT / "deploy" / "local" / "prometheus"
SCRAPE_INTERVAL = "1s"

ITEM = """<item><guid>https://example.org/{n}</guid><link>https://example.org/{n}</link><title>{title}</title>
<pubDate>Wed, 26 Nov 2025 08:30:00 +0300</pubDate><description>{body}</description></item>"""
BOOK_FAIR = "افتتح اليوم معرض الرياض الدولي للكتاب بمشاركة أكثر من ألف دار نشر ويستمر المعرض عشرة أيام."
OIL = "ارتفعت أسعار النفط في التعاملات المبكرة اليوم بعد قرار خفض الإنتاج من كبار المنتجين."
ENTRIES = [
    ("1", "افتتاح معرض الكتاب في الرياض", BOOK_FAIR),
    ("2", "ارتفاع أسعار النفط", OIL),
    ("3", "معرض الكتاب يفتح أبوابه", BOOK_FAIR),  # the same body under another link: a copy (duplicate)
    ("4", "", ""),  # no content: dead-lettered by the producer
]
FEED = (
    '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>t</title><link>https://example.org/</link>'
    + "".join(ITEM.format(n=n, title=title, body=body) for n, title, body in ENTRIES)
    + "</channel></rss>"
)


class Forwarder:
    """A TCP forwarder on a port of its own to the real Elasticsearch node: the worker's Elasticsearch
    is unreachable until ``start()``."""

    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        self.port = free_port()
        self._listener: socket.socket | None = None

    def start(self) -> None:
        self._listener = socket.create_server(("127.0.0.1", self.port))
        threading.Thread(target=self._accept, args=(self._listener,), daemon=True).start()

    def close(self) -> None:
        if self._listener is not None:
            self._listener.close()

    def _accept(self, listener: socket.socket) -> None:
        with contextlib.suppress(OSError):
            while True:
                client, _ = listener.accept()
                upstream = socket.create_connection(self.target)
                for source, sink in ((client, upstream), (upstream, client)):
                    threading.Thread(target=self._pump, args=(source, sink), daemon=True).start()

    @staticmethod
    def _pump(source: socket.socket, sink: socket.socket) -> None:
        with contextlib.suppress(OSError), source, sink:
            while chunk := source.recv(65536):
                sink.sendall(chunk)


def panel_queries(dashboard: dict[str, Any]) -> list[tuple[str, str]]:
    """(panel title, PromQL) for every target of every panel, with Grafana's variables substituted as
    Grafana does before sending the query: the dashboard's template variables by their current value,
    the built-in intervals by ones that fit the 1 s scrape."""
    builtins = {"__rate_interval": "1m", "__interval": "15s", "__range": "5m"}
    variables = {
        var["name"]: str((var.get("current") or {}).get("value") or var.get("query") or "")
        for var in dashboard.get("templating", {}).get("list", [])
    }
    values = {**variables, **builtins}

    def substitute(expr: str) -> str:
        return re.sub(r"\$\{?(\w+)\}?", lambda m: values.get(m.group(1), m.group(0)), expr)

    return [
        (panel["title"], substitute(target["expr"])) for panel in dashboard["panels"] for target in panel["targets"]
    ]


def prometheus_get(port: int, path: str, **params: str) -> Any:
    url = f"http://127.0.0.1:{port}{path}?{urllib.parse.urlencode(params)}"
    body = orjson.loads(urllib.request.urlopen(url, timeout=10).read())
    assert body["status"] == "success", body
    return body["data"]


def query(port: int, expr: str) -> list[dict[str, Any]]:
    result: list[dict[str, Any]] = prometheus_get(port, "/api/v1/query", query=expr)["result"]
    return result


def has_data(result: list[dict[str, Any]]) -> bool:
    """At least one series with a number (histogram_quantile of nothing gives NaN, which is no data)."""
    return any(not math.isnan(float(series["value"][1])) for series in result)


@pytest.fixture
def prometheus(tmp_path: Path) -> Iterator[Callable[[int, int], int]]:
    """Starts deploy/local/prometheus under a NEWSFLOW_HOME of this test's own, scraping the given worker
    and producer ports every second; stops it at the end."""
    env = {**os.environ, "NEWSFLOW_HOME": str(tmp_path / "home"), "NEWSFLOW_PYTHON": sys.executable}

    def up(worker_port: int, producer_port: int) -> int:
        port = free_port()
        env.update(
            NEWSFLOW_PROMETHEUS_PORT=str(port),
            NEWSFLOW_PROMETHEUS_WORKERS=f"127.0.0.1:{worker_port}",
            NEWSFLOW_PROMETHEUS_PRODUCERS=f"127.0.0.1:{producer_port}",
            NEWSFLOW_PROMETHEUS_SCRAPE_INTERVAL=SCRAPE_INTERVAL,
        )
        subprocess.run([PROMETHEUS_SCRIPT, "up"], env=env, check=True, capture_output=True, timeout=120)
        return port

    yield up
    subprocess.run([PROMETHEUS_SCRIPT, "down"], env=env, check=False, capture_output=True, timeout=60)


@pytest.fixture
def feed_producer(settings: Settings, tmp_path: Path) -> Iterator[int]:
    """``newsflow produce --feed FILE --interval 1 --metrics-port P`` running; yields P."""
    feed = tmp_path / "feed.rss"
    feed.write_text(FEED, encoding="utf-8")
    port = free_port()
    env = {**settings_env(settings), "NEWSFLOW_FEED_STATE_FILE": str(tmp_path / "feeds.json")}
    command = ["produce", "--feed", str(feed), "--interval", "1", "--metrics-port", str(port)]
    with (tmp_path / "producer.log").open("wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "streams", *command], cwd=ROOT, env=env, stdout=log, stderr=log
        )
        yield port
        process.terminate()
        process.wait(timeout=30)


@pytest.mark.timeout(420)
async def test_every_grafana_query_finds_data_and_the_alert_rules_run(
    settings: Settings,
    es: AsyncElasticsearch,
    worker_factory: Callable[..., subprocess.Popen[bytes]],
    feed_producer: int,
    prometheus: Callable[[int, int], int],
) -> None:
    es_url = urllib.parse.urlsplit(settings.elasticsearch.url)
    forwarder = Forwarder((es_url.hostname or "127.0.0.1", es_url.port or 9200))
    web_port = free_port()
    worker = worker_factory(
        worker_web_enabled=True,
        worker_web_port=web_port,
        elasticsearch_url=f"https://127.0.0.1:{forwarder.port}",
        sink_max_backoff_seconds=1.0,
    )
    prometheus_port = prometheus(web_port, feed_producer)
    producer = KafkaProducer(**kafka_python_options(settings.kafka))
    producer.send(settings.topics.raw, key=b"broken", value=b"\x00 not json").get(timeout=30)
    producer.close()
    try:
        # the worker waits for Elasticsearch (retries counted), then indexes once it can reach it
        await wait_for(lambda: _retried(web_port), timeout=120)
        forwarder.start()
        await wait_for(lambda: _count_at_least(es, settings, 3), timeout=120)

        dashboard = orjson.loads(DASHBOARD.read_bytes())
        queries = panel_queries(dashboard)
        assert len(queries) >= 9
        empty: list[str] = []

        async def all_have_data() -> bool:
            empty[:] = [f"{title}: {expr}" for title, expr in queries if not has_data(query(prometheus_port, expr))]
            return not empty

        try:
            await wait_for(all_have_data, timeout=90, interval=2)
        except AssertionError:
            pytest.fail("panel queries without data:\n" + "\n".join(empty))

        targets = prometheus_get(prometheus_port, "/api/v1/targets")["activeTargets"]
        assert {(t["labels"]["job"], t["health"]) for t in targets} == {
            ("newsflow-worker", "up"),
            ("newsflow-producer", "up"),
        }
        rules = [
            rule for group in prometheus_get(prometheus_port, "/api/v1/rules")["groups"] for rule in group["rules"]
        ]
        assert len(rules) >= 7
        assert all(rule["health"] == "ok" for rule in rules), [(r["name"], r.get("lastError")) for r in rules]
        dead = query(prometheus_port, "sum by (stage, reason) (newsflow_dead_letters_total)")
        assert {(s["metric"]["stage"], s["metric"]["reason"]) for s in dead} == {("decode", "bad_json")}
        produced = {
            s["metric"]["outcome"]: float(s["value"][1]) for s in query(prometheus_port, "newsflow_produced_total")
        }
        assert produced == {"produced": 3.0, "dead_letter": 1.0}

        # a worker that stops answering fires NewsflowWorkerDown (for: 1m)
        worker.terminate()
        worker.wait(timeout=60)

        async def worker_down_firing() -> bool:
            alerts = prometheus_get(prometheus_port, "/api/v1/alerts")["alerts"]
            return any(a["labels"]["alertname"] == "NewsflowWorkerDown" and a["state"] == "firing" for a in alerts)

        await wait_for(worker_down_firing, timeout=150, interval=2)
    finally:
        forwarder.close()


async def _retried(web_port: int) -> bool:
    try:
        return metric_samples(web_port, "newsflow_retries_total")["preparing the article index"] > 0
    except OSError:  # the worker's web server is not up yet
        return False


async def _count_at_least(es: AsyncElasticsearch, settings: Settings, count: int) -> bool:
    return len(await indexed_ids(es, settings)) >= count
