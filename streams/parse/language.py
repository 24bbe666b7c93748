"""Language identification with py3langid (its model ships inside the package).

The candidate set is restricted to the languages newsflow's feeds carry, so that Arabic dialect labels
(``arz``, ``ary``) do not appear and Persian, Urdu and Arabic, which share a script, are told apart by
the model rather than by script. Only the first ``SAMPLE_CHARS`` characters are read (the title and the
lead, as parse_article passes them): the cost grows with the text, and on SaudiNewsNet and BBC a
1,000-character prefix labels every article as a 3,000-character one did (bench.parse_report).
"""

from __future__ import annotations

from functools import cache

from py3langid.langid import MODEL_FILE, LanguageIdentifier

LANGUAGES = ("ar", "fa", "ur", "he", "en", "fr", "de", "es", "it", "pt", "nl", "tr", "ru", "id", "ms", "zh", "ja")
MIN_LETTERS = 20
MIN_DISTINCT_WORDS = 5  # fewer word types is not language but a repeated word or a list of codes
MIN_PROBABILITY = 0.7  # below it the model guesses (SaudiNewsNet and BBC articles score 0.85 and up)
SAMPLE_CHARS = 1000
UNDETERMINED = "und"  # ISO 639-2: what an article is labelled when neither its text nor its feed tells


@cache
def identifier() -> LanguageIdentifier:
    ident = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    ident.set_languages(list(LANGUAGES))
    return ident


def detect_language(text: str) -> str | None:
    """ISO 639-1 code of the text's language, or None (abstain) when there is too little text, too few
    different words or no confident answer to tell."""
    sample = text[:SAMPLE_CHARS]
    if sum(ch.isalpha() for ch in sample) < MIN_LETTERS or len(set(sample.split())) < MIN_DISTINCT_WORDS:
        return None
    code, probability = identifier().classify(sample)
    return str(code) if probability >= MIN_PROBABILITY else None
