"""``newsflow eval ner`` scores the whole recognizer on gold sentences, Arabic and English."""

from __future__ import annotations

from itertools import islice
from pathlib import Path

import pytest
from typer.testing import CliRunner

from streams.cli import cli
from streams.enrich.ner.conll import read_conll, unified
from streams.enrich.ner.evaluation import evaluate, predicted_tags
from streams.enrich.ner.model import default_recognizer
from tests.conftest import SHARED

GOLD = {"ar": SHARED / "data/ner/anercorp/train.txt", "en": SHARED / "data/ner/conll2003/dev.txt"}


@pytest.mark.parametrize("language", ["ar", "en"])
def test_eval_ner_prints_a_micro_row_over_pers_loc_org(language: str, tmp_path: Path) -> None:
    sentences = list(islice(read_conll(GOLD[language]), 300))
    gold = tmp_path / "gold.txt"
    gold.write_text("".join("".join(f"{t} {g}\n" for t, g in zip(*s, strict=True)) + "\n" for s in sentences))

    result = CliRunner().invoke(cli, ["eval", "ner", str(gold), "--lang", language])

    assert result.exit_code == 0, result.output
    rows = {line.split()[0]: line.split()[1:] for line in result.output.splitlines()[1:]}
    assert {"PERS", "LOC", "ORG", "micro"} <= set(rows)
    micro_f1 = float(rows["micro"][2])
    assert micro_f1 == evaluate(default_recognizer(language), unified(sentences))["micro"].f1
    assert micro_f1 > 0.6  # sentences the tagger was trained on (Arabic) or tuned on (English)


def test_entities_map_back_to_gold_tokens() -> None:
    recognizer = default_recognizer("ar")
    tags = predicted_tags(recognizer, [["زار", "الرئيس", "باراك", "أوباما", "القاهرة", "أمس"]])
    assert tags == [["O", "O", "B-PERS", "I-PERS", "B-LOC", "O"]]
