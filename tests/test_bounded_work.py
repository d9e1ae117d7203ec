"""No item within the limits takes more than a couple of seconds to extract.

spaCy's tokenizer is quadratic on a long whitespace-free run of brackets, quotes or suffix
punctuation (8,000 parentheses took 109 s), so ``process_batch`` breaks such runs up before
extracting; a text over ``MEETWIRE_MAX_TEXT_CHARS`` is dead-lettered as ``text_too_long``.
The texts are generated; the real extractor runs them.
"""

from __future__ import annotations

import time

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from stream.codec import RecordOrigin
from stream.extract import MeetingExtractor
from stream.process import PUNCTUATION_RUN_CHARS, RawRecord, process_batch, tame_punctuation_runs
from stream.settings import Settings
from tests.conftest import SHARED_EVAL

BUDGET_S = 2.0
"""Extraction time allowed for one item within the limits."""
RUN = 8_000
LIMITS = Settings.from_env({})
PREFIX = "JAKARTA (X) - Menteri Luar Negeri Indonesia Ratna Wulandari bertemu "


def _timed(extractor: MeetingExtractor, text: str) -> tuple[float, list[str]]:
    raw = orjson.dumps({"id": "patho-1", "text": text, "language": "id"})
    record = RawRecord(raw, RecordOrigin("wire.raw", 0, 0, None), timestamp=None)
    started = time.perf_counter()
    result = process_batch(
        [record], extractor, max_item_bytes=LIMITS.max_item_bytes, max_text_chars=LIMITS.max_text_chars
    )
    return time.perf_counter() - started, result.outcomes


@pytest.mark.parametrize(
    "run",
    ["(" * RUN, ")" * RUN, '"' * RUN, "'" * RUN, "," * RUN, "(-" * (RUN // 2), "([{\"'" * (RUN // 5), "…" * RUN],
    ids=["open", "close", "double-quote", "quote", "comma", "paren-hyphen", "mixed", "ellipsis"],
)
def test_bounded_work_punctuation_run_is_fast(extractor: MeetingExtractor, run: str) -> None:
    seconds, outcomes = _timed(extractor, PREFIX + run + " di Tokyo, Rabu (13/3).")
    assert outcomes in (["events"], ["no_meeting"])
    assert seconds < BUDGET_S


@pytest.mark.parametrize("over", [1])
def test_bounded_work_text_over_the_limit_is_dead_lettered(extractor: MeetingExtractor, over: int) -> None:
    seconds, outcomes = _timed(extractor, "a" * (LIMITS.max_text_chars + over))
    assert outcomes == ["dead_letter"]
    assert seconds < BUDGET_S


@pytest.mark.parametrize("sentence", ["Menlu Ratna Wulandari bertemu Menlu Kenji Morimoto di Tokyo, Senin (18/9). "])
def test_bounded_work_longest_ordinary_text_within_budget(extractor: MeetingExtractor, sentence: str) -> None:
    text = (sentence * (LIMITS.max_text_chars // len(sentence) + 1))[: LIMITS.max_text_chars]
    seconds, outcomes = _timed(extractor, text)
    assert outcomes == ["events"]
    assert seconds < BUDGET_S


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("(" * 17, "(" * 16 + " "),
        ("a" + "," * 40 + "b", "a" + "," * 16 + " " + "," * 16 + " " + "," * 6 + "b"),
        ("no long run... here -- (ok)", "no long run... here -- (ok)"),
    ],
)
def test_bounded_work_tame_punctuation_runs(text: str, expected: str) -> None:
    assert tame_punctuation_runs(text) == expected


@pytest.mark.parametrize("path", [SHARED_EVAL])
def test_bounded_work_real_articles_are_untouched(path: object) -> None:
    texts = [orjson.loads(line)["text"] for line in SHARED_EVAL.read_bytes().splitlines() if line.strip()]
    assert all(tame_punctuation_runs(text) == text for text in texts)
    assert max(len(text) for text in texts) < LIMITS.max_text_chars


# Brackets, quotes (typographic ones too: U+2013, U+2018, U+2019, ...), suffix punctuation, a little else.
_ALPHABET = "()[]{}\"'.,;:!?-\u2013\u2026\u00ab\u00bb\u201c\u201d\u2018\u2019/\\*#@ ab1\n"
_PATHOLOGICAL = st.text(alphabet=st.sampled_from(_ALPHABET), max_size=6_000)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=_PATHOLOGICAL)
def test_bounded_work_fuzz_punctuation_heavy_text_within_budget(extractor: MeetingExtractor, text: str) -> None:
    tamed = tame_punctuation_runs(text)
    assert len(tamed) == len(text)
    assert not any(len(run) > PUNCTUATION_RUN_CHARS for run in _punctuation_runs(tamed))
    seconds, _ = _timed(extractor, PREFIX + text)
    assert seconds < BUDGET_S


def _punctuation_runs(text: str) -> list[str]:
    runs: list[str] = []
    current = ""
    for char in text:
        if char.isalnum() or char.isspace() or char == "_":
            runs.append(current)
            current = ""
        else:
            current += char
    return [*runs, current]
