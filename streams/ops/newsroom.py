"""The newsroom page (``/news/``): the page an editor opens. A search box with the same Arabic-aware query
as ``newsflow search``, the matches with their outlet, date, snippet, story and event, facets by label
(entities, tags, outlets, days) that narrow the search when followed, the matches per day as a bar chart
(with an entity chosen, that entity's timeline), and the largest recent events. Rendered on
the server as plain HTML (no script: it works without JavaScript); every value is escaped and written
with ``dir=auto`` so Arabic reads right to left beside Latin text."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from html import escape
from typing import Any
from urllib.parse import urlencode

from streams.search import SearchResult

FACET_PARAMETERS = {"entities": "entity", "tags": "tag", "sources": "source"}
FACET_TITLES = {"entities": "People, organisations, places", "tags": "Tags", "sources": "Outlets"}
KEPT = ("q", "entity", "tag", "source", "day", "event", "story")
CHART_WIDTH, CHART_HEIGHT, LABEL_HEIGHT = 720, 120, 16
RECENT_DAYS = 10  # days listed under the chart, newest first


def link(current: Mapping[str, str], **changes: str) -> str:
    """This page's URL with ``changes`` applied to the current query (an empty value drops a parameter)."""
    merged = {k: v for k, v in {**{k: current.get(k, "") for k in KEPT}, **changes}.items() if v}
    return "?" + urlencode(merged) if merged else "./"


def render_newsroom(query: Mapping[str, str], result: SearchResult, events: Sequence[Mapping[str, Any]]) -> str:
    text = query.get("q", "")
    active = [(name, query[name]) for name in KEPT[1:] if query.get(name)]
    parts = [
        "<!doctype html><html lang=ar dir=rtl><meta charset=utf-8><title>newsflow — news</title>",
        "<style>body{font:15px/1.5 system-ui,sans-serif;margin:1.5rem;max-width:1100px}"
        ".grid{display:grid;grid-template-columns:3fr 1fr;gap:2rem}.hit{margin:0 0 1rem}"
        ".meta{color:#666;font-size:.85rem}.facet li{list-style:none}ul{padding:0}"
        "[dir=auto]{unicode-bidi:plaintext}</style>",
        "<h1>newsflow</h1>",
        "<form method=get action=./ role=search>"
        f"<input type=search name=q size=50 dir=auto value='{escape(text, quote=True)}' aria-label=search>",
        *(f"<input type=hidden name={name} value='{escape(value, quote=True)}'>" for name, value in active),
        "<button type=submit>بحث</button></form>",
    ]
    if active:
        parts.append(
            "<p id=filters>"
            + " · ".join(
                f"<span dir=auto>{escape(name)}: {escape(value)}</span> "
                f"<a href='{escape(link(query, **{name: ''}), quote=True)}'>×</a>"
                for name, value in active
            )
            + "</p>"
        )
    parts.append(f"<div class=grid><main><p class=meta id=total>{result.total} articles</p><ol id=hits>")
    for hit in result.hits:
        event = f" · <a href='{escape(link({}, event=hit.event_id), quote=True)}'>event</a>" if hit.event_id else ""
        parts.append(
            f"<li class=hit><b dir=auto>{escape(hit.title)}</b><div class=meta><span dir=auto>"
            f"{escape(hit.source or '-')}</span> · {escape(hit.date or '-')}{event}</div>"
            f"<div dir=auto>{escape(hit.snippet)}</div></li>"
        )
    parts.append("</ol>")
    parts += timeline(query, result.days)
    parts.append("</main><aside>")
    for facet, buckets in result.facets.items():
        if not buckets:
            continue
        parameter = FACET_PARAMETERS[facet]
        parts.append(f"<section class=facet id=facet-{facet}><h3>{escape(FACET_TITLES[facet])}</h3><ul>")
        parts += [
            f"<li><a dir=auto href='{escape(link(query, **{parameter: label}), quote=True)}'>{escape(label)}</a>"
            f" ({count})</li>"
            for label, count in buckets
        ]
        parts.append("</ul></section>")
    parts.append("<section id=events><h3>Largest recent events</h3><ol>")
    parts += [
        f"<li><a dir=auto href='{escape(link({}, event=str(e['event_id'])), quote=True)}'>{escape(str(e['label']))}</a>"
        f" <span class=meta>{int(e['article_count'])} articles, {len(e['outlets'])} outlets</span></li>"
        for e in events
    ]
    parts.append("</ol></section></aside></div></html>")
    return "".join(parts)


def timeline(query: Mapping[str, str], days: Sequence[tuple[str, int]]) -> list[str]:
    """The matches per day as an inline SVG bar chart (each bar a link narrowing to its day, its day and
    count in ``data-*`` and a tooltip), then the newest days as a list."""
    if not days:
        return []
    entity = query.get("entity")
    title = f"Articles per day: <span dir=auto>{escape(entity)}</span>" if entity else "Articles per day"
    tallest = max(count for _, count in days)
    width = CHART_WIDTH / len(days)
    bars = []
    for n, (day, count) in enumerate(days):
        height = max(1.0, (CHART_HEIGHT - LABEL_HEIGHT) * count / tallest)
        x, y, bar = n * width + 1, CHART_HEIGHT - LABEL_HEIGHT - height, max(1.0, width - 2)
        bars.append(
            f"<a href='{escape(link(query, day=day), quote=True)}'>"
            f"<rect class=day data-day={escape(day)} data-count={count} x={x:.1f} y={y:.1f} width={bar:.1f}"
            f" height={height:.1f} fill=#4a78b5><title>{escape(day)}: {count}</title></rect></a>"
        )
    edges = (
        f"<text x=0 y={CHART_HEIGHT - 3} font-size=11>{days[0][0]}</text>"
        f"<text x={CHART_WIDTH} y={CHART_HEIGHT - 3} font-size=11 text-anchor=end>{days[-1][0]}</text>"
    )
    recent = [
        f"<li><a href='{escape(link(query, day=day), quote=True)}'>{day}</a> ({count})</li>"
        for day, count in reversed(days[-RECENT_DAYS:])
    ]
    return [
        f"<section id=timeline dir=ltr><h3>{title}</h3>",
        f"<svg role=img aria-label='articles per day' width={CHART_WIDTH} height={CHART_HEIGHT}"
        f" viewBox='0 0 {CHART_WIDTH} {CHART_HEIGHT}'>{''.join(bars)}{edges}</svg>",
        f"<ul class=facet id=facet-days>{''.join(recent)}</ul></section>",
    ]
