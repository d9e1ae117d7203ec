"""Tokenising and splitting: the fast Indonesian pipeline, sentences, token arrays (invented text)."""

from __future__ import annotations

import pytest
import spacy
from spacy.language import Language
from spacy.tokens import Doc
from spacy.util import filter_spans

from stream.extract.participants import longest_spans, token_positions
from stream.extract.pipeline import build_pipeline, split_sentences, token_arrays


@pytest.fixture(scope="module")
def fast_id() -> Language:
    return build_pipeline("id")


@pytest.fixture(scope="module")
def blank_id() -> Language:
    return spacy.blank("id")


@pytest.mark.parametrize(
    "text",
    [
        "Negara-negara anggota (anak-anak, kupu-kupu) bertemu di sela-sela KTT, kata Menlu Dewi Lestari.",
        'NEGARA-NEGARA itu membahas kerja sama dll. pada 10\u00b0C. "Kata-kata" Jae-in dan Al-Rashidun.',
        "Baca juga: http://wire.example/berita-terkini/anak-anak-sekolah?id=1\n\nEditor: Siti",
    ],
)
def test_pipeline_fast_indonesian_tokenises_like_blank(fast_id: Language, blank_id: Language, text: str) -> None:
    fast = [(t.text, t.idx) for t in fast_id.make_doc(text)]
    assert fast == [(t.text, t.idx) for t in blank_id.make_doc(text)]


@pytest.mark.parametrize(
    ("text", "count"),
    [("Menlu tiba. Ia bertemu Dr. Ali.\n\nBaris baru! Lalu pulang", 4), ("", 0)],
)
def test_pipeline_split_sentences_counts(fast_id: Language, text: str, count: int) -> None:
    sentences = split_sentences(fast_id.make_doc(text), text)
    assert len(sentences) == count
    assert all(text[s.start_char : s.end_char].strip() for s in sentences)


@pytest.mark.parametrize("text", ["The minister met his counterpart. The Counterpart said so."])
def test_pipeline_token_arrays_are_made_once(text: str) -> None:
    doc = spacy.blank("en").make_doc(text)
    assert token_arrays(doc) is token_arrays(doc)
    assert token_positions(doc, ["counterpart"]) == [4, 7]


@pytest.mark.parametrize("pairs", [[(0, 2), (1, 3), (1, 2), (4, 5), (3, 6), (0, 2)], [(2, 3)], []])
def test_participants_longest_spans_match_filter_spans(pairs: list[tuple[int, int]]) -> None:
    doc = Doc(spacy.blank("en").vocab, words=[f"w{i}" for i in range(8)])
    expected = [(s.start, s.end) for s in filter_spans([doc[a:b] for a, b in pairs])]
    assert longest_spans(pairs) == expected
