"""``meetwire merge``: events JSONL in, every new or changed canonical record out; records validate."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import orjson
import pytest

from stream.cli import main
from stream.codec import decode_wire_item
from stream.extract import MeetingExtractor
from stream.schemas import load_validator
from tests.conftest import SHARED_EVAL
from tests.test_canonical_merge import _event

MERGE_TIMEOUT_S = 120.0


def _write(path: Path, events: list[dict[str, object]]) -> bytes:
    data = b"".join(orjson.dumps(e) + b"\n" for e in events)
    path.write_bytes(data)
    return data


@pytest.mark.parametrize("people", [["Menlu Ardhana Wirasmoro", "Sergei Valkorin"]])
def test_canonical_cli_merge_writes_each_change_and_validates(tmp_path: Path, people: list[str]) -> None:
    events = [
        _event("e1", people, status="planned", language="id"),
        _event("e2", ["Ardhana Wirasmoro", "Sergey Valkorin"], source="Wire B"),
        _event("e2", ["Ardhana Wirasmoro", "Sergey Valkorin"], source="Wire B"),  # a replayed duplicate
        _event("e3", people, day="2031-03-20", reported_on="2031-03-20"),  # a follow-up meeting
    ]
    _write(tmp_path / "events.jsonl", events)
    assert main(["merge", "--input", str(tmp_path / "events.jsonl"), "--output", str(tmp_path / "out.jsonl")]) == 0
    records = [orjson.loads(line) for line in (tmp_path / "out.jsonl").read_bytes().splitlines()]
    validator = load_validator("canonical_meeting")
    for record in records:
        validator.validate(record)
    assert len(records) == 3  # created, updated, created: the duplicate wrote nothing
    first, updated, follow_up = records
    assert first["meeting_id"] == updated["meeting_id"] != follow_up["meeting_id"]
    assert (first["status"], updated["status"]) == ("planned", "held")
    assert [r["event_id"] for r in updated["reports"]] == ["e1", "e2"]
    assert updated["support"]["reports"] == 2


@pytest.mark.parametrize("people", [["Ardhana Wirasmoro", "Lina Morvay"]])
def test_canonical_cli_merge_reads_stdin_writes_stdout(people: list[str]) -> None:
    data = orjson.dumps(_event("e1", people)) + b"\n{broken\n"
    done = subprocess.run(
        [sys.executable, "-m", "stream.cli", "merge", "--input", "-", "--output", "-"],
        input=data,
        capture_output=True,
        timeout=MERGE_TIMEOUT_S,
        check=True,
    )
    lines = done.stdout.splitlines()
    assert len(lines) == 1
    assert orjson.loads(lines[0])["reports"][0]["event_id"] == "e1"
    assert b"line(s) could not be read as meeting events" in done.stderr


@pytest.mark.parametrize("items", [12])
def test_canonical_records_of_real_extractions_validate(
    extractor: MeetingExtractor, tmp_path: Path, items: int
) -> None:
    wire = [decode_wire_item(line, max_bytes=1 << 20) for line in SHARED_EVAL.read_bytes().splitlines()[:items]]
    events = [e.to_dict() for found in extractor.extract_many([(item, None) for item in wire]) for e in found]
    assert events
    event_validator = load_validator("meeting_event")
    for event in events:
        event_validator.validate(event)
    _write(tmp_path / "events.jsonl", events)
    assert main(["merge", "--input", str(tmp_path / "events.jsonl"), "--output", str(tmp_path / "out.jsonl")]) == 0
    records = [orjson.loads(line) for line in (tmp_path / "out.jsonl").read_bytes().splitlines()]
    assert len(records) == len(events)  # every event creates or updates one record
    validator = load_validator("canonical_meeting")
    for record in records:
        validator.validate(record)
    reported = {r["event_id"] for rec in records for r in rec["reports"]}
    assert reported == {e["event_id"] for e in events}


@pytest.mark.parametrize(("items", "rounds"), [(40, 2)])
def test_canonical_cli_merge_benchmark_prints_a_rate_per_round(items: int, rounds: int) -> None:
    """``scripts/bench_merge.py``, quoted in the README, runs and prints each round's figures."""
    script = Path(__file__).resolve().parents[1] / "scripts" / "bench_merge.py"
    done = subprocess.run(
        [sys.executable, str(script), "--items", str(items), "--rounds", str(rounds)],
        capture_output=True,
        text=True,
        timeout=MERGE_TIMEOUT_S,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].startswith(f"{items} items, ")
    assert [line.split(":")[0] for line in lines[1:]] == [f"round {n}" for n in range(1, rounds + 1)]
    assert all(" events/s, table " in line for line in lines[1:])
