"""Page tags from a trailer's tag section.

Sites separate tags with commas, Arabic commas, pipes, hashes or line breaks; scrapers often lose
the separators and leave one space-joined line (the seed: ``وزارة الدفاع الأمريكية أوستن شبه الجزيرة
الكورية ...``). Such a line is segmented by greedy longest match against the article's own text: a
run of words is one tag when the same words (on the matching key, allowing a clitic on the first
word) occur in the title or body; otherwise each word is a tag of its own.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from streams.text.normalize import key_tokens, matching_key

SEPARATORS = re.compile(r"\s*[،,;؛|#\n]+\s*")
MAX_TAG_WORDS = 6
_CLITICS = "(?:[وف]?[بلك]?)"


def _occurs(phrase_key: str, reference: str) -> bool:
    return re.search(rf"(?:^| ){_CLITICS}{re.escape(phrase_key)}(?= |$)", reference) is not None


def segment_by_reference(line: str, reference: str) -> list[str]:
    """Split a separator-less tag line into tags using phrases that occur in ``reference``."""
    words = line.split()
    keys = [matching_key(w) for w in words]
    tags: list[str] = []
    i = 0
    while i < len(words):
        end = i + 1
        for j in range(min(len(words), i + MAX_TAG_WORDS), i + 1, -1):
            if _occurs(" ".join(keys[i:j]), reference):
                end = j
                break
        tags.append(" ".join(words[i:end]))
        i = end
    return tags


def split_tag_lines(tag_texts: Iterable[str], context: Iterable[str]) -> tuple[list[str], list[str]]:
    """Tags in page order (spelling variants kept: enrichment deduplicates) and parse warnings."""
    texts = [t for t in tag_texts if t.strip()]
    chunks = [c.strip() for t in texts for c in SEPARATORS.split(t) if c.strip()]
    if len(texts) == 1 and len(chunks) == 1 and len(chunks[0].split()) > 1:
        reference = " ".join(key_tokens(" ".join(context)))
        return segment_by_reference(chunks[0], reference), ["tags_segmented_by_article_text"]
    return chunks, []
