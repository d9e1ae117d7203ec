"""Language pipelines: blank spaCy tokenisers plus our own sentence and paragraph splitting.

Sentences are computed by a plain function rather than a registered component, so that
building a pipeline touches no global registry and the boundaries are cheap and predictable
on wire text (newlines always end a sentence; abbreviations and initials do not).
"""

from __future__ import annotations

from dataclasses import dataclass

import spacy
from spacy.language import Language
from spacy.tokens import Doc

_END = frozenset({".", "!", "?"})
_CLOSERS = frozenset({'"', "\u201d", "\u2019", "'", ")", "]"})


@dataclass(frozen=True, slots=True)
class Sentence:
    """A sentence as token and character offsets into its Doc."""

    start: int
    """First token index."""
    end: int
    """One past the last token index."""
    start_char: int
    end_char: int
    paragraph: int
    """Index of the paragraph (newline-separated block) the sentence belongs to."""


def build_pipeline(language: str) -> Language:
    """A tokeniser-only pipeline for ``language`` ("id" or "en")."""
    return spacy.blank(language)


def split_sentences(doc: Doc) -> list[Sentence]:
    """Sentences of ``doc``: newlines end sentences, so do ``. ! ?`` before a capital or quote."""
    sentences: list[Sentence] = []
    paragraph = 0
    start = 0
    n = len(doc)

    def close(end: int) -> None:
        nonlocal start
        while start < end and doc[start].is_space:
            start += 1
        stop = end
        while stop > start and doc[stop - 1].is_space:
            stop -= 1
        if stop > start:
            sentences.append(
                Sentence(start, stop, doc[start].idx, doc[stop - 1].idx + len(doc[stop - 1].text), paragraph)
            )
        start = end

    i = 0
    while i < n:
        tok = doc[i]
        if "\n" in tok.text or "\n" in tok.whitespace_:
            close(i + 1)
            paragraph += 1
        elif tok.text in _END and i + 1 < n:
            j = i + 1
            while j < n and doc[j].text in _CLOSERS:
                j += 1
            nxt = doc[j] if j < n else None
            if nxt is None or nxt.is_space or nxt.text[:1].isupper() or nxt.text[:1] in "\"\u201c'(":
                close(j)
                i = j
                continue
        i += 1
    close(n)
    return sentences
