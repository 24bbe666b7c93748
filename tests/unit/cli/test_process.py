from __future__ import annotations

from pathlib import Path

import orjson
import pytest
from typer.testing import CliRunner

from streams.cli import cli

pytestmark = pytest.mark.unit

ATTACK = (
    "قتل جنديان سعوديان اليوم إثر سقوط مقذوفات عسكرية أطلقتها ميليشيات الحوثي من داخل الأراضي اليمنية على "
    "مواقع حدودية في منطقة نجران، وأعلن الدفاع المدني أن فرقه باشرت الموقع ونقلت المصابين إلى المستشفى."
)
ATTACK_REWORDED = (
    "استشهد جنديان في منطقة نجران إثر سقوط مقذوفات أطلقتها ميليشيات الحوثي من الأراضي اليمنية على مواقع "
    "حدودية، وقال الدفاع المدني إن فرقه نقلت المصابين إلى المستشفى وباشرت الموقع."
)
MATCH = (
    "فاز فريق الأهلي على منافسه الهلال بثلاثة أهداف مقابل هدف في المباراة التي أقيمت مساء أمس على ملعب "
    "الجوهرة المشعة في جدة، وسجل أهداف الأهلي لاعب الوسط والمهاجم في الشوطين."
)


def test_as_indexed_prints_documents_with_stories_and_events(tmp_path: Path) -> None:
    records = [
        {
            "url": "http://a.example/1",
            "source": "okaz",
            "title": "مقتل جنديين بمقذوفات حوثية على نجران",
            "content": ATTACK,
        },
        {
            "url": "http://b.example/2",
            "source": "sabq",
            "title": "مقتل جنديين بمقذوفات حوثية على نجران",
            "content": ATTACK,
        },
        {"url": "http://c.example/3", "source": "alriyadh", "title": "الأهلي يفوز على الهلال", "content": MATCH},
        {
            "url": "http://d.example/4",
            "source": "alyaum",
            "title": "استشهاد جنديين بمقذوفات حوثية في نجران",
            "content": ATTACK_REWORDED,
        },
    ]
    path = tmp_path / "day.jsonl"
    path.write_bytes(b"\n".join(orjson.dumps({**r, "date_extracted": "2015-07-21 10:00:00"}) for r in records))

    result = CliRunner().invoke(cli, ["process", "--as-indexed", str(path)])

    assert result.exit_code == 0, result.output
    documents = [orjson.loads(line) for line in result.stdout.splitlines()]
    assert [d["url"] for d in documents] == [r["url"] for r in records]
    first, copy, match, reworded = documents
    assert copy["story_id"] == first["story_id"] == first["id"]  # a copy: one story
    assert reworded["story_id"] == reworded["id"]  # another wording: its own story ...
    assert reworded["event_id"] == copy["event_id"] == first["event_id"] == first["id"]  # ... of the same event
    assert match["event_id"] == match["id"]
