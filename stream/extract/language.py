"""A cheap language guess for items that arrive without ``language``: stopword ratios."""

from __future__ import annotations

import re
from collections.abc import Mapping

_WORD = re.compile(r"[^\W\d_]+")

MIN_RATIO = 0.12
"""Below this share of stopwords in the best language, the text is none of ours."""


def detect_language(text: str, stopwords: Mapping[str, frozenset[str]], *, sample_chars: int = 4000) -> str | None:
    """The language whose stopwords cover the most words of ``text``, or ``None`` if none fits."""
    words = [w.casefold() for w in _WORD.findall(text[:sample_chars])]
    if len(words) < 3:
        return None
    best, best_ratio = None, 0.0
    for lang in sorted(stopwords):
        ratio = sum(w in stopwords[lang] for w in words) / len(words)
        if ratio > best_ratio:
            best, best_ratio = lang, ratio
    return best if best_ratio >= MIN_RATIO else None
