from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import SecretStr, ValidationError

from streams.errors import ConfigurationError
from streams.schemas import articles_index_template
from streams.settings import Settings

pytestmark = pytest.mark.unit


def test_explicit_beats_environment_beats_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NEWSFLOW_TOPIC_PARTITIONS", raising=False)
    assert Settings().topic_partitions == 4
    monkeypatch.setenv("NEWSFLOW_TOPIC_PARTITIONS", "8")
    assert Settings().topic_partitions == 8
    assert Settings(topic_partitions=2).topic_partitions == 2


def test_settings_are_frozen() -> None:
    settings = Settings()
    with pytest.raises(ValidationError):
        settings.topic_prefix = "other"


def test_password_is_secret_and_read_from_file(tmp_path: Path) -> None:
    path = tmp_path / "pw"
    path.write_text("s3cret-value\n", encoding="utf-8")
    settings = Settings(elasticsearch_password_file=path)
    password = settings.resolved_elasticsearch_password()
    assert password is not None
    assert password.get_secret_value() == "s3cret-value"
    assert "s3cret" not in repr(Settings(elasticsearch_password=SecretStr("s3cret-value")))


def test_missing_password_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="does not exist"):
        Settings(elasticsearch_password_file=tmp_path / "absent").resolved_elasticsearch_password()


def test_names_follow_the_prefixes() -> None:
    settings = Settings(topic_prefix="t1", index_prefix="i1")
    assert (settings.raw_topic, settings.enriched_topic, settings.dead_letter_topic) == (
        "t1.articles.raw",
        "t1.articles.enriched",
        "t1.dead-letters",
    )
    template = articles_index_template(f"{settings.articles_alias}-*", 0)
    assert template["index_patterns"] == ["i1-articles-*"]
    assert "aliases" not in template["template"]  # the code moves the alias (streams.sink.reindex)
    assert template["template"]["mappings"]["dynamic"] == "strict"


def test_environment_round_trip(tmp_path: Path) -> None:
    settings = Settings(
        topic_prefix="x",
        elasticsearch_password=SecretStr("pw"),
        worker_data_dir=tmp_path,
        jsonl_fields={"content": ["body"], "id": ["uid"]},
    )
    env = settings.to_environment({"PATH": "/bin", "NEWSFLOW_TOPIC_PREFIX": "stale"})
    assert env["PATH"] == "/bin"
    assert env["NEWSFLOW_TOPIC_PREFIX"] == "x"
    with pytest.MonkeyPatch.context() as patch:
        for name, value in env.items():
            patch.setenv(name, value)
        assert Settings() == settings
