"""Language pipelines' configs and tokenisers, and our own sentence and paragraph splitting.

A language is a spaCy config (``configs/<lang>.cfg``: its tokenizer and the meetwire components
of :mod:`stream.extract.components`) plus its data files. Sentences are computed by a plain
function (the ``meetwire_sentences`` component calls it, only for an article with a trigger), so
the boundaries are cheap and predictable on wire text (newlines always end a sentence;
abbreviations and initials do not).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy
from spacy.attrs import IDX, IS_SPACE, LENGTH, LOWER, ORTH
from spacy.language import Language
from spacy.strings import get_string_id
from spacy.tokenizer import Tokenizer
from spacy.tokens import Doc
from spacy.util import (
    compile_infix_regex,
    compile_prefix_regex,
    compile_suffix_regex,
    load_config,
    load_model_from_config,
    registry,
)
from thinc.api import Config

_END = frozenset({".", "!", "?"})
_END_IDS = tuple(numpy.uint64(get_string_id(t)) for t in sorted(_END))
_HYPHENATED = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)+")
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


CONFIG_DIR = Path(__file__).resolve().parent / "configs"
"""One spaCy ``config.cfg`` per language (``<lang>.cfg``): its tokenizer and its components."""


def configured_languages() -> tuple[str, ...]:
    """The languages that have a config: a language is its config and its data files."""
    return tuple(sorted(path.stem for path in CONFIG_DIR.glob("*.cfg")))


def language_config(language: str, overrides: dict[str, Any] | None = None) -> Config:
    """The config of ``language``'s pipeline, not interpolated (``overrides`` may set its variables)."""
    return load_config(CONFIG_DIR / f"{language}.cfg", overrides=overrides or {}, interpolate=False)


def build_pipeline(language: str) -> Language:
    """The tokeniser of ``language``'s config alone: no component (they need not be registered)."""
    config = language_config(language, {"nlp.pipeline": []})
    del config["components"]
    nlp: Language = load_model_from_config(config, auto_fill=True, validate=True)
    return nlp


def create_whole_hyphenated_words_tokenizer() -> Callable[[Language], Tokenizer]:
    """spaCy's rule-based tokenizer of the language, tokenising as ``spacy.blank``, built faster.

    For Indonesian: of its ~16k tokenizer exceptions, ~15.5k only keep a hyphenated word whole
    ("negara-negara"), and registering each as a special case takes seconds. Those words are kept
    whole by one set look-up instead (``token_match``), with the same tokens, except for a
    reduplication glued to another word by a dash ("anak-anak\u2014remaja"), which also splits at
    its own hyphen.
    """

    def tokenizer(nlp: Language) -> Tokenizer:
        defaults = nlp.Defaults
        exceptions: dict[str, list[dict[int, str]]] = defaults.tokenizer_exceptions
        whole = frozenset(
            orth
            for orth, tokens in exceptions.items()
            if len(tokens) == 1 and tokens[0] == {ORTH: orth} and _HYPHENATED.fullmatch(orth)
        )
        return Tokenizer(
            nlp.vocab,
            rules={k: v for k, v in exceptions.items() if k not in whole},
            prefix_search=compile_prefix_regex(defaults.prefixes).search if defaults.prefixes else None,
            suffix_search=compile_suffix_regex(defaults.suffixes).search if defaults.suffixes else None,
            infix_finditer=compile_infix_regex(defaults.infixes).finditer if defaults.infixes else None,
            token_match=whole.__contains__,
            url_match=defaults.url_match,
        )

    return tokenizer


# registered by a call, not a decorator: spaCy's registry is untyped and would untype the function
registry.tokenizers.register("meetwire.whole_hyphenated_words.v1", func=create_whole_hyphenated_words_tokenizer)


TOKEN_COLUMNS = (IDX, LENGTH, IS_SPACE, ORTH, LOWER)
"""The columns of :func:`token_arrays`, in order."""
_ARRAYS_KEY = "meetwire.token_arrays"


def token_arrays(doc: Doc) -> numpy.ndarray:
    """``IDX, LENGTH, IS_SPACE, ORTH, LOWER`` of every token (one row each), computed once per Doc
    and kept in ``doc.user_data``: ``Doc.to_array`` costs ~20 us per attribute on a wire item."""
    arr = doc.user_data.get(_ARRAYS_KEY)
    if arr is None:
        arr = doc.to_array(list(TOKEN_COLUMNS)).reshape(len(doc), len(TOKEN_COLUMNS))
        doc.user_data[_ARRAYS_KEY] = arr
    return arr


def _wrapped(tok: Callable[[int], str], i: int, n: int, space: list[int]) -> bool:
    """The line break at token ``i`` only wraps a sentence ("... Presiden Joko Widodo dalam\n
    perjalanannya ..."): one newline, a word before it and a lower-case word or a number after."""
    if tok(i) != "\n" or i == 0 or i + 1 >= n or space[i - 1] or space[i + 1]:
        return False
    before, after = tok(i - 1), tok(i + 1)
    return before[-1:].isalnum() and (after[:1].islower() or after[:1].isdigit())


def split_sentences(doc: Doc, text: str | None = None) -> list[Sentence]:
    """Sentences of ``doc``: newlines end sentences (not one that only wraps a line), so do
    ``. ! ?`` before a capital or quote.

    ``text`` is ``doc.text`` when the caller has it (building it from the Doc is not free).
    """
    n = len(doc)
    if not n:
        return []
    raw = doc.text if text is None else text
    # one array pass, no Token objects; then Python only at spaces and sentence-final marks
    arr = token_arrays(doc)
    idx: list[int] = arr[:, 0].tolist()
    length: list[int] = arr[:, 1].tolist()
    space: list[int] = arr[:, 2].tolist()
    orth = arr[:, 3]
    hit = arr[:, 2] != 0
    for h in _END_IDS:
        hit |= orth == h
    marks: list[int] = numpy.flatnonzero(hit).tolist()

    def tok(i: int) -> str:
        return raw[idx[i] : idx[i] + length[i]]

    sentences: list[Sentence] = []
    paragraph = 0
    start = 0

    def close(end: int) -> None:
        nonlocal start
        while start < end and space[start]:
            start += 1
        stop = end
        while stop > start and space[stop - 1]:
            stop -= 1
        if stop > start:
            sentences.append(Sentence(start, stop, idx[start], idx[stop - 1] + length[stop - 1], paragraph))
        start = end

    skip_to = 0
    for i in marks:
        if i < skip_to:
            continue
        if space[i]:
            if "\n" in tok(i) and not _wrapped(tok, i, n, space):
                close(i + 1)
                paragraph += 1
        elif i + 1 < n:
            j = i + 1
            while j < n and tok(j) in _CLOSERS:
                j += 1
            nxt = tok(j) if j < n else None
            if nxt is None or space[j] or nxt[:1].isupper() or nxt[:1] in "\"\u201c'(":
                close(j)
                skip_to = j
    close(n)
    return sentences
