from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import SecretStr, ValidationError

from streams.errors import ConfigurationError
from streams.schemas import articles_index_template
from streams.settings import Settings, flat_names
from streams.settings_table import settings_table
from streams.sink import credentials

pytestmark = pytest.mark.unit
DOCS = Path(__file__).parents[2] / "docs" / "settings.md"


def test_explicit_beats_environment_beats_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NEWSFLOW_TOPIC_PARTITIONS", raising=False)
    assert Settings().topics.partitions == 4
    monkeypatch.setenv("NEWSFLOW_TOPIC_PARTITIONS", "8")
    assert Settings().topics.partitions == 8
    assert Settings(topic_partitions=2).topics.partitions == 2
    assert Settings(topics={"partitions": 3}).topics.partitions == 3


def test_an_explicit_group_field_keeps_the_others_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEWSFLOW_KAFKA_BOOTSTRAP_SERVERS", "broker:9093")
    settings = Settings(kafka_security_protocol="SSL")
    assert (settings.kafka.bootstrap_servers, settings.kafka.security_protocol) == ("broker:9093", "SSL")


def test_every_flat_name_is_one_setting() -> None:
    names = flat_names()
    assert len(set(names.values())) == len(names)  # no two names for one setting
    assert names["kafka_bootstrap_servers"] == ("kafka", "bootstrap_servers")
    assert names["app_id"] == ("worker", "app_id")
    assert names["sink_max_backoff_seconds"] == ("retry", "max_backoff_seconds")


def test_unknown_names_are_refused() -> None:
    with pytest.raises(ValidationError, match="topic_partition"):
        Settings(topic_partition=2)


def test_lists_from_the_environment_take_json_or_commas(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEWSFLOW_SINK_TARGETS", "elasticsearch, files")
    assert Settings().sink.targets == ("elasticsearch", "files")
    monkeypatch.setenv("NEWSFLOW_SINK_TARGETS", '["files"]')
    assert Settings().sink.targets == ("files",)


def test_settings_are_frozen() -> None:
    settings = Settings()
    with pytest.raises(ValidationError):
        settings.topics = settings.topics
    with pytest.raises(ValidationError):
        settings.topics.name_prefix = "other"


def test_replace_validates_again() -> None:
    settings = Settings(topic_prefix="a")
    assert settings.replace(topic_partitions=6).topics.name_prefix == "a"
    with pytest.raises(ValidationError):
        settings.replace(topic_partitions=0)


def test_password_is_secret_and_read_from_file(tmp_path: Path) -> None:
    path = tmp_path / "pw"
    path.write_text("s3cret-value\n", encoding="utf-8")
    password = credentials.password(Settings(elasticsearch_password_file=path))
    assert password is not None
    assert password.get_secret_value() == "s3cret-value"
    assert "s3cret" not in repr(Settings(elasticsearch_password=SecretStr("s3cret-value")))


def test_missing_password_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="does not exist"):
        credentials.password(Settings(elasticsearch_password_file=tmp_path / "absent"))


def test_names_follow_the_prefixes() -> None:
    settings = Settings(topic_prefix="t1", index_prefix="i1")
    assert (settings.topics.raw, settings.topics.enriched, settings.topics.dead_letters) == (
        "t1.articles.raw",
        "t1.articles.enriched",
        "t1.dead-letters",
    )
    template = articles_index_template(f"{settings.elasticsearch.articles_alias}-*", 0)
    assert template["index_patterns"] == ["i1-articles-*"]
    assert "aliases" not in template["template"]  # the code moves the alias (streams.jobs.reindex)
    assert template["template"]["mappings"]["dynamic"] == "strict"


def test_environment_round_trip(tmp_path: Path) -> None:
    settings = Settings(
        topic_prefix="x",
        elasticsearch_password=SecretStr("pw"),
        worker_data_dir=tmp_path,
        jsonl_fields={"content": ["body"], "id": ["uid"]},
        sink_targets=("elasticsearch", "files"),
    )
    env = settings.to_environment({"PATH": "/bin", "NEWSFLOW_TOPIC_PREFIX": "stale"})
    assert env["PATH"] == "/bin"
    assert env["NEWSFLOW_TOPIC_PREFIX"] == "x"
    with pytest.MonkeyPatch.context() as patch:
        for name, value in env.items():
            patch.setenv(name, value)
        assert Settings() == settings


def test_the_settings_page_is_generated_from_the_code() -> None:
    assert DOCS.read_text(encoding="utf-8") == settings_table(), "run: newsflow settings > docs/settings.md"
