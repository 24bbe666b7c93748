"""``newsflow eval`` and ``newsflow train``: measure and rebuild the models from the shared corpora."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

err = Console(stderr=True, soft_wrap=True)
ExistingPath = Annotated[Path, typer.Option(exists=True)]
ANERCORP_TRAIN = Path("../shared/data/ner/anercorp/train.txt")
SAUDINEWSNET = Path("../shared/data/articles/arabic/saudinewsnet")


evaluate_cli = typer.Typer(help="Measure quality on gold data.", no_args_is_help=True)
train_cli = typer.Typer(help="Rebuild models from the shared corpora.", no_args_is_help=True)


@evaluate_cli.command("ner")
def evaluate_ner(
    conll: Annotated[Path, typer.Argument(exists=True, help="token TAG per line, blank line between sentences")],
    folds: int = typer.Option(0, help="0: score the shipped model on the file; K: K-fold cross-validation on it"),
) -> None:
    """Per-type exact-span precision, recall and F1 (micro over PERS, LOC, ORG)."""
    import tempfile

    from streams.enrich.ner.conll import read_conll
    from streams.enrich.ner.model import default_recognizer
    from streams.enrich.ner.train import cross_validate, evaluate

    recognizer = default_recognizer()
    if folds:
        with tempfile.TemporaryDirectory() as workdir:
            scores = cross_validate(conll, folds, Path(workdir), recognizer.gazetteer, recognizer.clusters)
    else:
        scores = evaluate(recognizer, list(read_conll(conll)))
    console = Console(highlight=False)
    console.print(f"{'type':8} {'precision':>9} {'recall':>7} {'f1':>7} {'support':>8}")
    for kind, result in scores.items():
        if kind == "MISALIGNED" and not result.precision:
            continue  # no predicted span fell inside a token
        console.print(f"{kind:8} {result.precision:9.4f} {result.recall:7.4f} {result.f1:7.4f} {result.support:8d}")


@train_cli.command("ner")
def train_ner(
    conll: ExistingPath = ANERCORP_TRAIN,
    saudinewsnet: ExistingPath = SAUDINEWSNET,
) -> None:
    """Rebuild the word clusters and the CRF in streams/enrich/ner/data (needs the train extra)."""
    from streams.enrich.ner.conll import read_conll
    from streams.enrich.ner.gazetteer import default_gazetteer
    from streams.enrich.ner.model import CLUSTERS_PATH, MODEL_PATH, load_clusters
    from streams.enrich.ner.train import build_clusters, train_crf

    err.print(f"word clusters: {build_clusters(saudinewsnet, CLUSTERS_PATH)} stems -> {CLUSTERS_PATH}")
    train_crf(list(read_conll(conll)), MODEL_PATH, default_gazetteer(), load_clusters())
    err.print(f"CRF -> {MODEL_PATH}")


@train_cli.command("labels")
def train_labels(
    conll: ExistingPath = ANERCORP_TRAIN,
    saudinewsnet: ExistingPath = SAUDINEWSNET,
) -> None:
    """Rebuild the spelling table behind entity and tag labels (streams/enrich/data/spellings.tsv.gz)."""
    from streams.enrich.spellings import DATA, corpus_texts, count_spellings, write_table

    words = write_table(count_spellings(corpus_texts(saudinewsnet, conll)), DATA)
    err.print(f"spellings: {words} words -> {DATA}")
