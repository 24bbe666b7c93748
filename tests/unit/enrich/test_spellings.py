from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from streams.enrich.spellings import count_spellings, default_spellings, load, write_table
from streams.text.normalize import matching_key

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    ("token", "proclitic"),
    [
        ("وكوريا", "و"),  # the seed's "وكوريا": Korea with the conjunction
        ("ولبنان", "و"),
        ("والأردن", "و"),  # the article stays with the name
        ("بالرياض", "ب"),
        ("للولايات", "ل"),  # ل + ال with the alef elided: the second ل is the article's
        ("وللولايات", "ول"),
        ("وليد", ""),  # names that merely start with a proclitic letter
        ("لبنان", ""),
        ("بغداد", ""),
        ("فرنسا", ""),
        ("كندا", ""),
        ("كمال", ""),  # ك alone is never taken for a proclitic
        ("والد", ""),  # و + ال + one letter: a word of its own
        ("وزارة", ""),
    ],
)
def test_proclitics_are_told_from_first_letters(token: str, proclitic: str) -> None:
    assert token[: default_spellings().proclitic_length(token)] == proclitic


@pytest.mark.parametrize(
    ("token", "reading"),
    [("للولايات", "الولايات"), ("وكوريا", "كوريا"), ("بالرياض", "الرياض"), ("لبنان", "لبنان")],
)
def test_a_token_reads_as_the_word_without_its_proclitics(token: str, reading: str) -> None:
    assert default_spellings().without_proclitic(token) == reading


@pytest.mark.parametrize(
    ("written", "label"),
    [
        ("وزاره الدفاع الامريكيه", "وزارة الدفاع الأمريكية"),  # the seed's matching key, as people write it
        ("لويد اوستن", "لويد أوستن"),
        ("شبه الجزيره الكوريه", "شبه الجزيرة الكورية"),
        ("الولایات  المتحدة", "الولايات المتحدة"),  # Persian yeh, double space
        ("زُمُرّدان", "زمردان"),  # not in the table: as written, without harakat
    ],
)
def test_labels_use_the_most_frequent_spelling(written: str, label: str) -> None:
    assert default_spellings().label(written) == label


@given(st.text(alphabet="ابتةثجحخدذرزسشصضطظعغفقكلمنهويىءأإآؤئ ـًٌٍَُِّْیک", max_size=40))
def test_a_label_keeps_the_key_of_what_it_labels(text: str) -> None:
    assert matching_key(default_spellings().label(text)) == matching_key(text)


def test_the_table_is_rebuilt_byte_for_byte(tmp_path: Path) -> None:
    found = count_spellings(["الأمريكية الامريكية الأمريكية", "الأمريكية كوريا كوريا كوريا", "نادر"])
    assert found["الامريكيه"] == Counter({"الأمريكية": 3, "الامريكية": 1})
    first, second = tmp_path / "a.tsv.gz", tmp_path / "b.tsv.gz"
    assert write_table(found, first) == write_table(found, second) == 2  # نادر is under the minimum count
    assert first.read_bytes() == second.read_bytes()
    table = load(first)
    assert (table.count("الامريكيه"), table.form("الامريكية"), table.form("كوريا")) == (4, "الأمريكية", "كوريا")
    assert table.count("نادر") == 0
