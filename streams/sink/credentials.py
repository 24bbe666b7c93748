"""The Elasticsearch password and CA file: the explicit ones, else those deploy/local/services made
under ``<home>/state/elasticsearch``; read once, when a client is created."""

from __future__ import annotations

from pathlib import Path

from pydantic import SecretStr

from streams.errors import ConfigurationError
from streams.settings import Settings


def ca_file(settings: Settings) -> Path | None:
    """The explicit CA file, else the local CA deploy/local/services made, for an https URL."""
    explicit = settings.elasticsearch.ca_file
    if explicit is not None:
        if not explicit.exists():
            raise ConfigurationError(f"elasticsearch CA file {explicit} does not exist")
        return explicit
    local = settings.home / "state" / "elasticsearch" / "ca.crt"
    return local if settings.elasticsearch.url.startswith("https:") and local.exists() else None


def password(settings: Settings) -> SecretStr | None:
    """The explicit password, else the one in the password file (deploy/local/services' by default)."""
    es = settings.elasticsearch
    if es.password is not None:
        return es.password
    path = es.password_file or settings.home / "state" / "elasticsearch" / "elastic.password"
    if not path.exists():
        if es.password_file is not None:
            raise ConfigurationError(f"elasticsearch password file {path} does not exist")
        return None
    return SecretStr(path.read_text(encoding="utf-8").strip())
