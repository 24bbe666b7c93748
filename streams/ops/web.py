"""The worker's web endpoints, on Faust's own web server (``NEWSFLOW_WORKER_WEB_PORT``):

- ``/metrics``: Prometheus exposition of streams.metrics;
- ``/ops/health``: 200 while every held partition moves, 503 with the stalled ones (streams.ops.liveness);
- ``/ops/``: the live ops page (``ops.html``; it polls ``/ops/stats.json`` and sets every value with
  ``textContent``, so article text is never parsed as HTML), ``/ops/dead-letters/N/`` one dead letter;
- ``/search/?q=...&source=&language=&since=&until=&entity=&tag=&story=&event=&size=``: streams.search as JSON;
- ``/news/`` with the same parameters: the newsroom page (streams.ops.newsroom).
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import asdict
from datetime import UTC, date, datetime
from html import escape
from pathlib import Path
from typing import Any

import faust
from faust.web import Request, Response, View

from streams.kafka.story_log import StoryLog
from streams.ops.history import latency_buckets, quantile
from streams.ops.liveness import Liveness
from streams.ops.newsroom import render_newsroom
from streams.ops.telemetry import Telemetry
from streams.search import SearchFilters, search
from streams.settings import Settings
from streams.sink.elasticsearch import open_client
from streams.sink.events import recent_events

PAGE = Path(__file__).resolve().parent / "ops.html"
AGENT_STAGES = {"process": ("decode", "parse", "enrich"), "index": ("dedup", "index")}
KAFKA_STALE_SECONDS = 15.0
HEALTH_CACHE_SECONDS = 5.0
NEWSROOM_HITS = 20
NEWSROOM_EVENTS = 10


class OpsViews:
    def __init__(self, settings: Settings, telemetry: Telemetry, stories: StoryLog, liveness: Liveness) -> None:
        self.settings = settings
        self.telemetry = telemetry
        self.stories = stories
        self.liveness = liveness
        self._es_health: tuple[float, bool] = (0.0, False)

    def register(self, app: faust.App) -> None:
        routes: dict[str, Callable[..., Awaitable[Response]]] = {
            "/metrics": self.metrics,
            "/ops/": self.page,
            "/ops/stats.json": self.stats,
            "/ops/health": self.health,
            "/ops/dead-letters/{number}/": self.dead_letter,
            "/search/": self.search,
            "/news/": self.newsroom,
        }
        for path, method in routes.items():
            app.page(path)(_as_handler(method))

    async def metrics(self, view: View, request: Request) -> Response:
        return view.bytes(self.telemetry.metrics.exposition(), content_type="text/plain; version=0.0.4")

    async def health(self, view: View, request: Request) -> Response:
        stalled = [{"topic": t, "partition": p, "waiting_seconds": age} for t, p, age in self.liveness.stalled]
        return view.json({"healthy": not stalled, "stalled": stalled}, status=200 if not stalled else 503)

    async def page(self, view: View, request: Request) -> Response:
        return view.html(PAGE.read_text(encoding="utf-8"))

    async def elasticsearch_healthy(self) -> bool:
        checked_at, healthy = self._es_health
        if time.monotonic() - checked_at > HEALTH_CACHE_SECONDS:
            try:
                async with open_client(self.settings) as client:
                    status = (await client.cluster.health(timeout="2s"))["status"]
                healthy = status in {"green", "yellow"}
            except Exception:
                healthy = False
            self._es_health = (time.monotonic(), healthy)
        return healthy

    def latency(self) -> dict[str, float | None]:
        """Produce -> searchable p50 and p95 since the worker started, in seconds (interpolated)."""
        buckets = latency_buckets(self.telemetry.metrics)
        return {"p50": quantile(0.5, buckets), "p95": quantile(0.95, buckets)}

    async def stats(self, view: View, request: Request) -> Response:
        metrics, telemetry = self.telemetry.metrics, self.telemetry
        stages = {}
        for agent, letter_stages in AGENT_STAGES.items():
            stages[agent] = {
                "in": metrics.value("newsflow_records_total", stage=agent, outcome="in"),
                "out": metrics.value("newsflow_records_total", stage=agent, outcome="out"),
                "dead_letter": sum(
                    metrics.value("newsflow_records_total", stage=s, outcome="dead_letter") for s in letter_stages
                ),
            }
        rows: dict[tuple[str, int], dict[str, Any]] = {}
        for name, column in (
            ("newsflow_consumer_lag", "lag"),
            ("newsflow_oldest_waiting_seconds", "oldest_waiting_seconds"),
        ):
            for sample in metrics.samples(name):
                key = (sample.labels["topic"], int(sample.labels["partition"]))
                row = rows.setdefault(
                    key, {"topic": key[0], "partition": key[1], "lag": None, "oldest_waiting_seconds": None}
                )
                row[column] = sample.value
        lag = [rows[key] for key in sorted(rows)]
        last_poll = self.stories.last_poll
        return view.json(
            {
                "app": self.settings.worker.app_id,
                "uptime_seconds": round((datetime.now(UTC) - telemetry.started_at).total_seconds()),
                "health": {
                    "kafka": last_poll is not None and time.monotonic() - last_poll < KAFKA_STALE_SECONDS,
                    "elasticsearch": await self.elasticsearch_healthy(),
                    "partitions": self.liveness.healthy,
                },
                "stages": stages,
                "stories": metrics.total("newsflow_stories_total"),
                "duplicates": metrics.total("newsflow_duplicates_total"),
                "redeliveries": metrics.total("newsflow_redeliveries_total"),
                "retries": metrics.total("newsflow_retries_total"),
                "latency": self.latency(),
                "history": telemetry.history.as_json(),
                "lag": lag,
                "dead_letters": [
                    {
                        "number": number,
                        "stage": letter.stage,
                        "reason": letter.reason,
                        "error_class": letter.error_class,
                        "error_message": letter.error_message[:300],
                        "failed_at": letter.failed_at.isoformat(timespec="seconds"),
                    }
                    for number, letter in telemetry.letters
                ],
                "documents": [asdict(document) for document in telemetry.documents],
            }
        )

    async def dead_letter(self, view: View, request: Request, number: str) -> Response:
        letter = self.telemetry.letter(int(number)) if number.isdigit() else None
        if letter is None:
            return view.html(
                "<!doctype html><title>not found</title><p>No such dead letter on this worker.", status=404
            )
        rows = "".join(
            f"<tr><th>{escape(name)}</th><td dir=auto>{escape(str(value))}</td></tr>"
            for name, value in (
                ("stage", letter.stage),
                ("reason", letter.reason),
                ("error", f"{letter.error_class}: {letter.error_message}"),
                ("position", f"{letter.position.topic}[{letter.position.partition}]@{letter.position.offset}"),
                ("failed at", letter.failed_at.isoformat()),
                ("attempts", letter.attempts),
                ("payload encoding", letter.payload_encoding),
            )
        )
        return view.html(
            "<!doctype html><meta charset=utf-8><title>dead letter</title>"
            f"<h1>Dead letter #{int(number)}</h1><p><a href='../../'>back</a></p><table>{rows}</table>"
            f"<h2>Payload</h2><pre id=payload dir=auto>{escape(letter.payload[:20_000])}</pre>"
        )

    async def search(self, view: View, request: Request) -> Response:
        query = request.query
        try:
            filters, size = search_filters(query), min(100, max(1, int(query.get("size", "10"))))
        except ValueError as exc:
            return view.json({"error": str(exc)}, status=400)
        async with open_client(self.settings) as client:
            result = await search(client, self.settings, query.get("q", ""), filters, size)
        return view.json(asdict(result))

    async def newsroom(self, view: View, request: Request) -> Response:
        query = {k: v for k, v in request.query.items() if isinstance(v, str)}
        try:
            filters = search_filters(query)
        except ValueError as exc:
            return view.html(f"<!doctype html><title>bad request</title><p>{escape(str(exc))}", status=400)
        async with open_client(self.settings) as client:
            result = await search(client, self.settings, query.get("q", ""), filters, NEWSROOM_HITS)
            events = await recent_events(client, self.settings, NEWSROOM_EVENTS)
        return view.html(render_newsroom(query, result, events))


def search_filters(query: Mapping[str, str]) -> SearchFilters:
    """The filters of a ``/search/`` or ``/news/`` query string; ValueError for a malformed date."""
    return SearchFilters(
        source=query.get("source") or None,
        language=query.get("language") or None,
        since=date.fromisoformat(query["since"]) if query.get("since") else None,
        until=date.fromisoformat(query["until"]) if query.get("until") else None,
        day=date.fromisoformat(query["day"]) if query.get("day") else None,
        entity=query.get("entity") or None,
        tag=query.get("tag") or None,
        story=query.get("story") or None,
        event=query.get("event") or None,
    )


def _as_handler(method: Callable[..., Awaitable[Response]]) -> Callable[..., Awaitable[Response]]:
    """A plain function for Faust to make a View's ``get`` of (Faust binds it to the View instance)."""

    async def get(view: View, request: Request, **params: str) -> Response:
        return await method(view, request, **params)

    get.__name__ = method.__name__
    return get
