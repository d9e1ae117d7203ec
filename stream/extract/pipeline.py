"""Language pipelines: blank spaCy tokenisers plus our own sentence and paragraph splitting.

Sentences are computed by a plain function rather than a registered component, so that
building a pipeline touches no global registry and the boundaries are cheap and predictable
on wire text (newlines always end a sentence; abbreviations and initials do not).
"""

from __future__ import annotations

from dataclasses import dataclass

import spacy
from spacy.attrs import IDX, LENGTH
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


def split_sentences(doc: Doc, text: str | None = None) -> list[Sentence]:
    """Sentences of ``doc``: newlines end sentences, so do ``. ! ?`` before a capital or quote.

    ``text`` is ``doc.text`` when the caller has it (building it from the Doc is not free).
    """
    # token texts from offsets: no Token objects; spaCy keeps newlines in tokens of their own
    raw = doc.text if text is None else text
    offsets = doc.to_array([IDX, LENGTH]).tolist() if len(doc) else []
    idx: list[int] = [o[0] for o in offsets]
    texts: list[str] = [raw[o[0] : o[0] + o[1]] for o in offsets]
    breaks: list[bool] = ["\n" in t for t in texts]
    sentences: list[Sentence] = []
    paragraph = 0
    start = 0
    n = len(texts)

    def close(end: int) -> None:
        nonlocal start
        while start < end and texts[start].isspace():
            start += 1
        stop = end
        while stop > start and texts[stop - 1].isspace():
            stop -= 1
        if stop > start:
            sentences.append(Sentence(start, stop, idx[start], idx[stop - 1] + len(texts[stop - 1]), paragraph))
        start = end

    i = 0
    while i < n:
        text = texts[i]
        if breaks[i]:
            close(i + 1)
            paragraph += 1
        elif text in _END and i + 1 < n:
            j = i + 1
            while j < n and texts[j] in _CLOSERS:
                j += 1
            nxt = texts[j] if j < n else None
            if nxt is None or nxt.isspace() or nxt[:1].isupper() or nxt[:1] in "\"\u201c'(":
                close(j)
                i = j
                continue
        i += 1
    close(n)
    return sentences
