"""What an enrichment depends on besides the article, and its version.

``enrichment_version`` names the data and code that shape an enriched record: the NER models (the
taggers, the gazetteer, the review lists), the topic lexicon, the spelling table, the keyphrase stop
words and the normalizer (the matching key every stage groups by, and the proclitics every stage
strips). Each part is a short
digest of its file's bytes, so the version changes exactly when one of them does, and a document says
which enrichment produced it (``enrichment_version`` in Elasticsearch): `newsflow reindex` re-enriches
the archive when the running version differs.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from streams.enrich import keyphrases, spellings
from streams.enrich.ner import gazetteer, model, review
from streams.enrich.topics import LEXICON, TopicLexicon, lexicon
from streams.text import clitics, normalize

DIGEST_CHARS = 8


def file_digest(*paths: Path) -> str:
    digest = hashlib.sha256()
    for path in paths:
        digest.update(path.read_bytes())
    return digest.hexdigest()[:DIGEST_CHARS]


@dataclass(frozen=True, slots=True)
class Enrichment:
    """The topic lexicon in use (the other tables are the package's) and the version of the whole."""

    topics: TopicLexicon
    version: str


@cache
def enrichment(topic_lexicon: Path | None = None) -> Enrichment:
    """Computed once per lexicon path (the files are read once to digest them)."""
    path = topic_lexicon or LEXICON
    parts = {
        "ner": file_digest(*model.MODEL_PATHS.values(), gazetteer.DATA, review.DATA),
        "topics": file_digest(path),
        "spellings": file_digest(spellings.DATA),
        "keyphrases": file_digest(keyphrases.STOPWORDS),
        "normalizer": file_digest(Path(normalize.__file__), Path(clitics.__file__)),
    }
    return Enrichment(lexicon(path), ".".join(f"{name}-{digest}" for name, digest in parts.items()))
