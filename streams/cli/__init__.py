"""The ``newsflow`` command: setup, produce, worker, process, search, reindex; dlq (cli/dead_letters.py),
eval and train (cli/models.py)."""

from __future__ import annotations

import asyncio
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

import orjson
import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    Task,
    TextColumn,
    TimeRemainingColumn,
)
from rich.text import Text

from streams.cli.dead_letters import dlq_cli
from streams.cli.events import events_command
from streams.cli.models import evaluate_cli, train_cli
from streams.kafka.codec import encode
from streams.metrics import Metrics
from streams.pipeline.process import process_values
from streams.records import DeadLetter, KafkaPosition, RawArticle
from streams.settings import Settings
from streams.sources.source import Source

cli = typer.Typer(
    help="newsflow: streaming ingestion of news articles (Kafka -> Faust -> Elasticsearch).", no_args_is_help=True
)
err = Console(stderr=True, soft_wrap=True)


class RateColumn(ProgressColumn):
    """Articles per second of a progress task."""

    def render(self, task: Task) -> Text:
        return Text(f"{task.speed:,.0f} art/s" if task.speed else "… art/s")


Paths = Annotated[list[Path], typer.Argument(exists=True, help=".txt, .html and .jsonl files, or directories")]
OptionalPaths = Annotated[
    list[Path] | None, typer.Argument(exists=True, help=".txt, .html and .jsonl files, or directories")
]


@cli.command()
def setup() -> None:
    """Create the Kafka topics and the Elasticsearch index template, index and alias (idempotent)."""
    from streams.kafka.topics import create_topics
    from streams.pipeline.stages import field_mappings
    from streams.sink.elasticsearch import ArticleIndex, ensure_index, open_client

    settings = Settings()
    created = create_topics(settings)
    err.print(
        f"topics: created {created or 'none'} (all present: {settings.topics.raw}, {settings.topics.enriched}, "
        f"{settings.topics.dead_letters})"
    )

    async def prepare() -> ArticleIndex:
        async with open_client(settings) as client:
            return await ensure_index(client, settings, field_mappings(settings.enrichment))

    err.print(f"elasticsearch: index template and alias ready: {asyncio.run(prepare()).describe()}")


@cli.command()
def produce(
    paths: OptionalPaths = None,
    feed: Annotated[list[str] | None, typer.Option(help="an RSS/Atom feed URL or file; repeatable")] = None,
    interval: Annotated[float | None, typer.Option(help="with --feed: poll again every S seconds")] = None,
    progress: bool = typer.Option(True, help="show a progress bar"),
    metrics_port: Annotated[int | None, typer.Option(help="serve Prometheus metrics on this port")] = None,
    metrics_host: Annotated[str, typer.Option(help="address of the metrics server (0.0.0.0 in a container)")] = (
        "127.0.0.1"
    ),
) -> None:
    """Push articles from files or feeds onto the raw topic (key = stable article id, acks=all)."""
    from prometheus_client import start_http_server

    from streams.sources.feeds import FeedSource, FeedState
    from streams.sources.files import FileSource
    from streams.sources.producer import create_producer

    if not paths and not feed:
        raise typer.BadParameter("give files/directories, or --feed URL|FILE")
    settings = Settings()
    metrics = Metrics()
    if metrics_port is not None:
        start_http_server(metrics_port, addr=metrics_host, registry=metrics.registry)
    producer = create_producer(settings)
    try:
        if paths:
            produce_once(settings, producer, FileSource(paths, settings.inputs.jsonl_fields), progress, metrics)
        if feed:
            state = FeedState(settings.feed_state_path)
            feeds = [FeedSource(url, state, settings.inputs.feed_timeout_seconds) for url in feed]
            while True:
                for source in feeds:
                    produce_once(settings, producer, source, False, metrics)
                if interval is None:
                    break
                time.sleep(interval)
    finally:
        producer.close()


def produce_once(settings: Settings, producer: Any, source: Source, progress: bool, metrics: Metrics) -> None:
    """Send one read of a source onto the raw topic and report it."""
    from streams.sources.producer import produce_source

    columns = (TextColumn("producing"), BarColumn(), MofNCompleteColumn(), RateColumn(), TimeRemainingColumn())
    with Progress(*columns, console=err, disable=not progress) as bar:
        task = bar.add_task("produce", total=source.expected() if progress else None)
        report = produce_source(settings, source, producer, on_progress=lambda: bar.advance(task), metrics=metrics)
    for error in report.errors[:20]:
        err.print(f"[red]dead-lettered[/red] {error}")
    remark = f" ({source.remark})" if source.remark else ""
    err.print(
        f"{source.name}: {report.produced} produced to {settings.topics.raw}, {report.dead_lettered} dead-lettered"
        + remark
    )


@cli.command()
def worker(
    loglevel: str = typer.Option("info", help="crit, error, warn, info or debug"),
    processes: int | None = typer.Option(
        None, min=1, help="processes parsing and enriching (default: NEWSFLOW_WORKER_PROCESSES, else the cores given)"
    ),
) -> None:
    """Run the Faust worker: process (parse + enrich) and index agents."""
    import faust

    from streams.worker.app import create_app

    app = create_app(Settings() if processes is None else Settings(worker_processes=processes))
    faust.Worker(app, loglevel=loglevel, quiet=True).execute_from_commandline()


@cli.command()
def process(
    paths: Paths,
    as_indexed: Annotated[
        bool,
        typer.Option(
            "--as-indexed",
            help="print each article as the index stage writes it (story_id and event_id included), "
            "assigning stories and events over the files in order",
        ),
    ] = False,
) -> None:
    """Parse and enrich files offline (no Kafka), printing enriched records as JSON lines."""
    from streams.dedup.stories import StoryIndex
    from streams.enrich.names import NameDictionary
    from streams.pipeline.options import story_options
    from streams.pipeline.process import indexed_documents
    from streams.pipeline.stages import enrichment_context
    from streams.sources.files import read_paths
    from streams.sources.inputs import InputError

    settings = Settings()
    context = enrichment_context(settings.enrichment)
    names = NameDictionary()  # like the worker's table: names learned from earlier inputs serve later ones
    stories = StoryIndex.configured(story_options(settings))  # one story and event space over all the files
    out = sys.stdout.buffer
    failures = 0

    def write(batch: list[RawArticle]) -> int:
        """Enrich a batch as the worker does; write each record, report each dead letter; how many failed."""
        records = [(item.id.encode(), encode(item), KafkaPosition()) for item in batch]
        failed = 0
        enriched = []
        outcomes = process_values(records, context, settings.inputs.max_payload_bytes, names)
        for item, outcome in zip(batch, outcomes, strict=True):
            if isinstance(outcome, DeadLetter):
                failed += 1
                err.print(f"[red]{outcome.stage} error[/red] {item.origin}: {outcome.error_message}")
            else:
                enriched.append(outcome)
        if as_indexed:
            now = datetime.now(UTC)
            documents = indexed_documents(enriched, stories, settings.stories.num_perm, now, key_fields=False)
            out.writelines(orjson.dumps(document) + b"\n" for _, document in documents)
        else:
            out.writelines(orjson.dumps(outcome) + b"\n" for outcome in enriched)
        return failed

    batch: list[RawArticle] = []
    for item in read_paths(paths, settings.inputs.jsonl_fields):
        if isinstance(item, InputError):
            failures += 1
            err.print(f"[red]error[/red] {item.origin}: {item.reason}: {item.message}")
        else:
            batch.append(item)
        if len(batch) == settings.worker.batch_size:
            failures += write(batch)
            batch = []
    failures += write(batch)
    out.flush()
    if failures:
        raise typer.Exit(code=1)


@cli.command()
def search(
    query: Annotated[
        str, typer.Argument(help='words (all must match, any spelling or clitic form); "an exact phrase"')
    ] = "",
    size: Annotated[int, typer.Option(min=1, max=100)] = 10,
    source: Annotated[str | None, typer.Option(help="only this source name")] = None,
    language: Annotated[str | None, typer.Option(help="only this language code (ar, en, ...)")] = None,
    since: Annotated[
        datetime | None, typer.Option(formats=["%Y-%m-%d"], help="dated on or after (published, else fetched)")
    ] = None,
    until: Annotated[datetime | None, typer.Option(formats=["%Y-%m-%d"], help="dated on or before")] = None,
    day: Annotated[datetime | None, typer.Option(formats=["%Y-%m-%d"], help="dated on this UTC day")] = None,
    entity: Annotated[str | None, typer.Option(help="only articles naming this entity (any spelling)")] = None,
    tag: Annotated[str | None, typer.Option(help="only articles with this tag (any spelling)")] = None,
    story: Annotated[str | None, typer.Option(help="only this story id")] = None,
    event: Annotated[str | None, typer.Option(help="only this event's articles, oldest first")] = None,
    facets: Annotated[bool, typer.Option(help="print the top entities, tags and sources, and matches per day")] = True,
    wait: Annotated[float, typer.Option(help="poll up to this many seconds until something matches")] = 0,
) -> None:
    """Search indexed articles: title, source, date and a highlighted snippet per hit, then facets."""
    from streams.search import SearchFilters
    from streams.search import search as run_search
    from streams.sink.elasticsearch import open_client

    settings = Settings()
    filters = SearchFilters(
        source=source,
        language=language,
        since=since.date() if since else None,
        until=until.date() if until else None,
        day=day.date() if day else None,
        entity=entity,
        tag=tag,
        story=story,
        event=event,
    )

    async def run() -> None:
        deadline = time.monotonic() + wait
        async with open_client(settings) as client:
            result = await run_search(client, settings, query, filters, size, facets)
            while not result.hits and time.monotonic() < deadline:
                await asyncio.sleep(1)
                result = await run_search(client, settings, query, filters, size, facets)
        console = Console(highlight=False)
        console.print(Text.assemble(f"{len(result.hits)} hit(s) of {result.total} for ", (query or "*", "bold")))
        for hit in result.hits:
            console.print(
                Text.assemble(
                    "\n",
                    (hit.title, "bold"),
                    f"\n  {hit.source or '-'} · {hit.date or '-'}",
                    f" · score {hit.score:.2f} · id {hit.id}",
                    f" · story {hit.story_id or '-'} · event {hit.event_id or '-'}\n  {hit.snippet}",
                )
            )
        for name, buckets in result.facets.items():
            if buckets:
                console.print(Text.assemble("\n", (name, "bold"), ": ", ", ".join(f"{k} ({n})" for k, n in buckets)))
        if result.days:
            console.print(
                Text.assemble("\n", ("per day", "bold"), ": ", ", ".join(f"{d} ({n})" for d, n in result.days))
            )

    asyncio.run(run())


@cli.command()
def reindex(
    remove_old: bool = typer.Option(False, help="delete the old index once the alias has moved"),
    progress: bool = typer.Option(True, help="show a progress bar"),
) -> None:
    """Re-enrich every article of the raw topic into a new index while ingestion goes on, then move the
    alias atomically; run it again after a crash to continue."""
    from streams.jobs.reindex import Reindex
    from streams.retry import Retrier
    from streams.sink.elasticsearch import open_client

    settings = Settings()
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), RateColumn(), TimeRemainingColumn())
    with Progress(*columns, console=err, disable=not progress) as bar:

        class Shown:
            task: Any = None

            def phase(self, name: str, total: int | None) -> None:
                if self.task is not None:
                    bar.update(self.task, visible=bar.tasks[self.task].total is not None)
                self.task = bar.add_task(name, total=total)

            def advance(self, count: int) -> None:
                bar.advance(self.task, count)

        async def run() -> Any:
            async with open_client(settings) as client:
                return await Reindex(settings, client, Retrier(settings.retry.backoff), Shown()).run(remove_old)

        report = asyncio.run(run())
    err.print(
        f"{'resumed and ' if report.resumed else ''}reindexed {report.old_index} -> {report.new_index} "
        f"(enrichment {report.version}): {report.read} raw records read, {report.written} written, "
        f"{report.skipped} skipped (dead letters or not indexed), {report.merged} merged with live writes, "
        f"{report.kept_as_is} kept as they were (no longer in the raw topic); "
        f"alias {settings.elasticsearch.articles_alias} -> "
        f"{report.new_index}; old index {'removed' if report.removed_old else 'kept: ' + report.old_index}"
    )


@cli.command(name="settings")
def settings_command() -> None:
    """Print every setting (its NEWSFLOW_* variable, type, default, meaning) as docs/settings.md."""
    from streams.settings_table import settings_table

    sys.stdout.write(settings_table())


cli.command(name="events")(events_command)
cli.add_typer(dlq_cli, name="dlq")
cli.add_typer(evaluate_cli, name="eval")
cli.add_typer(train_cli, name="train")


def main() -> None:
    cli()
