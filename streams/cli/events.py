"""``newsflow events``: the largest recent events (streams.sink.events)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from streams.settings import Settings


def events_command(
    since: Annotated[
        datetime | None,
        typer.Option(formats=["%Y-%m-%d", "%Y-%m-%dT%H:%M"], help="seen on or after (default: the last 24 hours)"),
    ] = None,
    size: Annotated[int, typer.Option(min=1, max=200)] = 20,
) -> None:
    """The largest events seen since a time: label, articles, outlets, first and last seen, id."""
    from streams.sink.elasticsearch import open_client
    from streams.sink.events import largest_events

    settings = Settings()
    start = since.replace(tzinfo=since.tzinfo or UTC) if since else datetime.now(UTC) - timedelta(days=1)

    async def run() -> list[dict[str, Any]]:
        async with open_client(settings) as client:
            return await largest_events(client, settings, start, size)

    table = Table("articles", "outlets", "label", "first seen", "last seen", "event id", box=None)
    for event in asyncio.run(run()):
        table.add_row(
            str(event["article_count"]),
            str(len(event["outlets"])),
            str(event["label"]),
            str(event["first_seen"])[:16],
            str(event["last_seen"])[:16],
            str(event["event_id"]),
        )
    Console(highlight=False).print(table)
