"""``newsflow dlq``: list, show and replay dead letters."""

from __future__ import annotations

import sys
from typing import Annotated

import orjson
import typer
from rich.console import Console

from streams.settings import Settings

err = Console(stderr=True, soft_wrap=True)


dlq_cli = typer.Typer(help="Inspect and replay dead letters.", no_args_is_help=True)
StageOption = Annotated[str | None, typer.Option(help="only this stage: produce, decode, parse, enrich, index")]
ErrorOption = Annotated[
    str | None, typer.Option(help="only letters whose reason (too_large, schema, ...), error class or message has this")
]


@dlq_cli.command("list")
def dlq_list(stage: StageOption = None, error: ErrorOption = None, limit: int = typer.Option(50, min=1)) -> None:
    """One line per dead letter: position, time, stage, reason, error."""
    from streams.kafka.dead_letters import read_dead_letters

    console = Console(highlight=False, soft_wrap=True)
    shown = 0
    for stored in read_dead_letters(Settings(), stage, error):
        letter = stored.letter
        message = str(letter.get("error_message", "")).replace("\n", " ")[:100]
        console.print(
            f"{stored.position:>10}  {letter.get('failed_at', '')[:19]}  {letter.get('stage', ''):7} "
            f"{letter.get('reason', '-'):13} {letter.get('error_class', '')}: {message}",
            markup=False,
        )
        shown += 1
        if shown >= limit:
            break
    err.print(f"{shown} dead letter(s) shown")


@dlq_cli.command("show")
def dlq_show(position: Annotated[str, typer.Argument(help="PARTITION:OFFSET, as dlq list prints it")]) -> None:
    """The whole dead letter, payload included, as JSON."""
    from streams.kafka.dead_letters import read_dead_letters

    for stored in read_dead_letters(Settings()):
        if stored.position == position:
            sys.stdout.buffer.write(orjson.dumps(stored.letter, option=orjson.OPT_INDENT_2) + b"\n")
            return
    err.print(f"no dead letter at {position}")
    raise typer.Exit(code=1)


@dlq_cli.command("replay")
def dlq_replay(stage: StageOption = None, error: ErrorOption = None) -> None:
    """Send dead letters' original payloads back into the pipeline (after the cause was fixed)."""
    from streams.kafka.dead_letters import read_dead_letters, replay
    from streams.sources.producer import create_producer

    settings = Settings()
    producer = create_producer(settings)
    try:
        report = replay(settings, read_dead_letters(settings, stage, error), producer)
    finally:
        producer.close()
    for reason in report.skipped[:20]:
        err.print(f"skipped {reason}")
    err.print(f"replayed {report.replayed} dead letter(s); skipped {len(report.skipped)}")
