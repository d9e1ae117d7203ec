"""``stream.evaluate``: extract a gold file and hand it to the scorer script."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest

from stream.evaluate import evaluate
from stream.offline import wire_items

GOLD_LINE = {
    "id": "g-1",
    "language": "en",
    "text": "Chinese Foreign Minister Zhao Lei met Brazilian Foreign Minister Ana Ruiz in Beijing on Friday.",
    "published_at": "2024-05-10",
    "events": [{"participants": [["Zhao Lei"], ["Ana Ruiz"]], "location": ["Beijing"], "status": "held"}],
    "meta": {"note": "invented"},
}

FAKE_SCORER = """
import json, sys
args = [a for a in sys.argv[1:] if not a.startswith("--")]
events = [json.loads(l) for l in open(args[1], encoding="utf-8") if l.strip()]
names = sorted(p["name"] for e in events for p in e["participants"])
print(json.dumps({"flags": sorted(a for a in sys.argv[1:] if a.startswith("--")), "names": names}))
"""


@pytest.mark.parametrize("explain", [False, True])
def test_evaluate_runs_scorer_on_extracted_events(tmp_path: Path, explain: bool) -> None:
    gold = tmp_path / "gold.jsonl"
    gold.write_bytes(orjson.dumps(GOLD_LINE) + b"\n")
    scorer = tmp_path / "score.py"
    scorer.write_text(FAKE_SCORER, encoding="utf-8")
    report = orjson.loads(evaluate(gold, explain=explain, scorer=scorer))
    assert report["names"] == ["Ana Ruiz", "Zhao Lei"]
    assert report["flags"] == (["--by-language", "--explain"] if explain else ["--by-language"])


@pytest.mark.parametrize("line", [GOLD_LINE])
def test_evaluate_reads_wire_items_from_gold(line: dict[str, object]) -> None:
    items = [item for _, item in wire_items([orjson.dumps(line), b"  \n"], max_item_bytes=1 << 20)]
    assert [(i.id, i.language, i.published_at) for i in items] == [("g-1", "en", "2024-05-10")]
