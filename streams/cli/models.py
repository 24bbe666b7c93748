"""``newsflow eval`` and ``newsflow train``: measure and rebuild the models from the shared corpora."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console

if TYPE_CHECKING:
    from streams.enrich.ner.conll import TypeScore

err = Console(stderr=True, soft_wrap=True)
ExistingPath = Annotated[Path, typer.Option(exists=True)]
SHARED = Path("../shared/data")
ANERCORP_TRAIN = SHARED / "ner/anercorp/train.txt"
SAUDINEWSNET = SHARED / "articles/arabic/saudinewsnet"


evaluate_cli = typer.Typer(help="Measure quality on gold data.", no_args_is_help=True)
train_cli = typer.Typer(help="Rebuild models from the shared corpora.", no_args_is_help=True)
Language = Annotated[str, typer.Option("--lang", help="ar or en")]


@evaluate_cli.command("ner")
def evaluate_ner(
    conll: Annotated[Path, typer.Argument(exists=True, help="token TAG per line, blank line between sentences")],
    lang: Language = "ar",
    model: Annotated[Path | None, typer.Option(exists=True, help="a tagger .npz (default: the shipped one)")] = None,
) -> None:
    """Per-type exact-span precision, recall and F1 of the whole recognizer (micro over PERS, LOC, ORG;
    CoNLL's PER counts as PERS)."""
    from streams.enrich.ner.conll import read_conll, unified
    from streams.enrich.ner.evaluation import evaluate
    from streams.enrich.ner.gazetteer import default_gazetteer
    from streams.enrich.ner.model import EntityRecognizer, default_recognizer
    from streams.enrich.ner.network import Tagger

    recognizer = EntityRecognizer(Tagger.load(model), lang, default_gazetteer()) if model else default_recognizer(lang)
    print_scores(evaluate(recognizer, unified(read_conll(conll))))


def print_scores(scores: Mapping[str, TypeScore]) -> None:
    console = Console(highlight=False)
    console.print(f"{'type':10} {'precision':>9} {'recall':>7} {'f1':>7} {'support':>8}")
    for kind, result in scores.items():
        if kind == "MISALIGNED" and not result.precision:
            continue  # no predicted span fell inside a token
        console.print(f"{kind:10} {result.precision:9.4f} {result.recall:7.4f} {result.f1:7.4f} {result.support:8d}")


@train_cli.command("ner")
def train_ner(
    lang: Language = "ar",
    dev_fraction: Annotated[
        float, typer.Option(help="hold out this last share of the labelled data, pick epochs on it, score it")
    ] = 0.0,
    out: Annotated[Path | None, typer.Option(help="where to write the tagger (default: the shipped file)")] = None,
) -> None:
    """Rebuild a language's tagger from the shared corpora (needs the train extra): word vectors, an
    ensemble of teachers, silver labels on unlabelled news, the student that ships."""
    from streams.enrich.ner.model import MODEL_PATHS
    from streams.enrich.ner.recipes import RECIPES, train_language

    recipe = RECIPES[lang]
    result = train_language(recipe, SHARED, dev_fraction, lambda line: err.print(line))
    target = out or MODEL_PATHS[lang]
    result.tagger.save(target)
    err.print(f"tagger (epoch {result.epoch}) -> {target}")
    if result.dev_scores:
        print_scores(result.dev_scores)


@train_cli.command("labels")
def train_labels(
    conll: ExistingPath = ANERCORP_TRAIN,
    saudinewsnet: ExistingPath = SAUDINEWSNET,
) -> None:
    """Rebuild the spelling table behind entity and tag labels (streams/enrich/data/spellings.tsv.gz)."""
    from streams.enrich.spellings import DATA, corpus_texts, count_spellings, write_table

    words = write_table(count_spellings(corpus_texts(saudinewsnet, conll)), DATA)
    err.print(f"spellings: {words} words -> {DATA}")
