"""``stream.scoring`` gives exactly the shared quality scorer's figures and explanations.

The shared gold sets and scorer live outside the repository (``../shared/eval``); without
them the comparisons skip and say so. The unit cases below need nothing.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from stream.evaluate import evaluate
from stream.extract import MeetingExtractor
from stream.offline import extract_jsonl
from stream.scoring import PRF, fold, load_jsonl, names_match, report_json, report_text, score, score_sets
from stream.settings import Settings

SHARED_EVAL = Path(__file__).resolve().parents[2] / "shared" / "eval"
SHARED_SCORER = SHARED_EVAL / "score.py"
SCORER_TIMEOUT_S = 120
needs_shared_eval = pytest.mark.skipif(
    not SHARED_SCORER.is_file(), reason=f"no shared scorer and gold sets at {SHARED_EVAL} (outside the repository)"
)


def _extract(gold: Path, extractor: MeetingExtractor, out: Path) -> Path:
    with gold.open("rb") as src, out.open("wb") as dst:
        extract_jsonl(src, dst, extractor, max_item_bytes=Settings().max_item_bytes)
    return out


def _shared_scorer(gold: Path, predicted: Path, *flags: str) -> str:
    done = subprocess.run(
        [sys.executable, str(SHARED_SCORER), str(gold), str(predicted), *flags],
        capture_output=True,
        text=True,
        check=True,
        timeout=SCORER_TIMEOUT_S,
    )
    return done.stdout


@needs_shared_eval
@pytest.mark.parametrize("gold_name", ["dev.jsonl", "train.jsonl"])
def test_scoring_figures_equal_the_shared_scorers(gold_name: str, extractor: MeetingExtractor, tmp_path: Path) -> None:
    gold = SHARED_EVAL / gold_name
    predicted = _extract(gold, extractor, tmp_path / "events.jsonl")
    expected = json.loads(_shared_scorer(gold, predicted, "--json", "--by-language"))
    scores = score_sets(load_jsonl(gold), load_jsonl(predicted), by_language=True)
    assert json.loads(report_json(scores)) == expected
    assert list(scores) == list(expected)  # "all" first, then the languages in order
    assert scores["all"].event.tp > 0  # the comparison is about real pairs, not empty sets


@needs_shared_eval
@pytest.mark.parametrize("gold_name", ["dev.jsonl", "train.jsonl"])
def test_scoring_explained_report_equals_the_shared_scorers(
    gold_name: str, extractor: MeetingExtractor, tmp_path: Path
) -> None:
    gold = SHARED_EVAL / gold_name
    predicted = _extract(gold, extractor, tmp_path / "events.jsonl")
    expected = _shared_scorer(gold, predicted, "--by-language", "--explain")
    got = report_text(score_sets(load_jsonl(gold), load_jsonl(predicted), by_language=True, explain=True))
    assert got.splitlines() == expected.splitlines()
    assert got == expected
    assert "# " in got  # explanations were compared, not only summaries


@needs_shared_eval
@pytest.mark.parametrize("gold_name", ["dev.jsonl"])
def test_scoring_meetwire_eval_reports_what_the_shared_scorer_reports(
    gold_name: str, extractor: MeetingExtractor, tmp_path: Path
) -> None:
    gold = SHARED_EVAL / gold_name
    predicted = _extract(gold, extractor, tmp_path / "events.jsonl")
    assert evaluate(gold, explain=False) == _shared_scorer(gold, predicted, "--by-language")


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        ("Lavrov", "Sergey Lavrov", True),
        ("Sergéy  Lavróv", "sergey lavrov", True),
        ("Wang", "Wang Yi", True),
        ("Yi", "Wang Yi", False),  # the shared tokens must include one of three or more characters
        ("Joko Widodo", "Joko Anwar", False),
        ("", "Joko", False),
        ("K.H. Ma'ruf Amin", "Ma ruf Amin", True),
    ],
)
def test_scoring_names_match(a: str, b: str, expected: bool) -> None:
    assert names_match(a, b) is expected
    assert names_match(b, a) is expected


@pytest.mark.parametrize(("name", "tokens"), [("Ma'ruf  AMIN-Jr.", ("ma", "ruf", "amin", "jr"))])
def test_scoring_fold(name: str, tokens: tuple[str, ...]) -> None:
    assert fold(name) == tokens


@pytest.mark.parametrize(("tp", "fp", "fn", "f1"), [(2, 1, 1, 0.6667), (0, 0, 0, 0.0), (3, 0, 0, 1.0)])
def test_scoring_prf_rounds(tp: int, fp: int, fn: int, f1: float) -> None:
    assert PRF.of(tp, fp, fn).f1 == f1


@pytest.mark.parametrize("status", ["planned"])
def test_scoring_counts_only_held_events(status: str) -> None:
    gold = [
        {
            "id": "a",
            "language": "en",
            "events": [
                {"participants": [["Ana Lima"], ["Bo Chen"]], "location": ["Lisbon"], "date": "2024-05-02"},
                {"participants": [["Ana Lima"], ["Cy Dorn"]], "status": status},
            ],
        }
    ]
    predicted = [
        {
            "item_id": "a",
            "participants": [{"name": "Lima"}, {"name": "Bo Chen"}],
            "location": {"name": "Lisboa", "mention": "Lisbon"},
            "date": {"value": "2024-05-02"},
        },
        {"item_id": "a", "status": status, "participants": [{"name": "Ana Lima"}, {"name": "Cy Dorn"}]},
    ]
    figures = score(gold, predicted, explain=True)
    assert (figures.event.tp, figures.event.fp, figures.event.fn) == (1, 0, 0)
    assert (figures.location_acc, figures.date_acc, figures.topic_acc) == (1.0, 1.0, None)
    assert figures.full_event.f1 == 1.0
    assert figures.explanation == ()
