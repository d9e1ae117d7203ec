"""The README is the front door: its commands, targets and settings table must stay true."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import urllib.request
from pathlib import Path

import orjson
import pytest

from stream.schemas import load_validator
from stream.settings import settings_table
from tests.conftest import free_port

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
DEMO_TIMEOUT_S = 420
MEETWIRE = [sys.executable, "-m", "stream.cli"]


def test_readme_settings_table_matches_the_settings_object() -> None:
    assert settings_table() in README, "regenerate the README table from stream.settings.settings_table()"


@pytest.mark.parametrize("target", sorted(set(re.findall(r"`make ([a-z][a-z-]*)", README)) | {"demo", "test"}))
def test_readme_make_targets_exist(target: str) -> None:
    done = subprocess.run(["make", "-n", target], cwd=ROOT, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr


@pytest.mark.parametrize("command", sorted(set(re.findall(r"^\| `meetwire ([a-z-]+)", README, flags=re.M))))
def test_readme_cli_commands_exist(command: str) -> None:
    done = subprocess.run([*MEETWIRE, command, "--help"], cwd=ROOT, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr


@pytest.mark.parametrize("sample", ["samples/wire.jsonl"])
def test_readme_offline_extract_example(sample: str) -> None:
    """`meetwire extract --input samples/wire.jsonl --output -`, as the README shows it."""
    done = subprocess.run(
        [*MEETWIRE, "extract", "--input", sample, "--output", "-"], cwd=ROOT, capture_output=True, check=True
    )
    events = [orjson.loads(line) for line in done.stdout.splitlines()]
    texts = {}
    for line in (ROOT / sample).read_bytes().splitlines():
        try:
            item = orjson.loads(line)
            texts[item["id"]] = item["text"]
        except (orjson.JSONDecodeError, TypeError, KeyError):
            continue
    validator = load_validator("meeting_event")
    assert len(events) >= 4
    for event in events:
        validator.validate(event)
        text = texts[event["item_id"]]
        for part in event["participants"]:
            start, end = part["span"]
            assert text[start:end] == part["mention"]
    assert {e["status"] for e in events} >= {"held", "planned", "cancelled"}
    assert b"2 line(s) could not be read" in done.stderr


@pytest.mark.integration
@pytest.mark.slow
def test_readme_demo_prints_events_and_serves_metrics(tmp_path: Path) -> None:
    """`make demo`'s script end to end: its own Kafka, the worker, the samples, events, metrics.
    Run twice, as a newcomer would: the second demo replaces the first (a fresh Kafka) and must
    not trip over the state the first worker left behind."""
    port = free_port()
    env = {**os.environ, "MEETWIRE_WEB_PORT": str(port), "MEETWIRE_DEMO_DIR": str(tmp_path / "demo")}
    try:
        for _ in range(2):
            done = subprocess.run(
                ["bash", "scripts/demo.sh"], cwd=ROOT, env=env, capture_output=True, timeout=DEMO_TIMEOUT_S, check=False
            )
            output = done.stdout.decode()
            assert done.returncode == 0, output + done.stderr.decode()[-3000:]
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as response:
            metrics = response.read().decode()
        # As the README says: from this folder, with no broker setting, the demo's Kafka answers.
        no_broker_env = {k: v for k, v in os.environ.items() if k != "MEETWIRE_BROKER"}
        tailed = subprocess.run(
            [*MEETWIRE, "tail", "meetings.events", "--max-messages", "1", "--idle-timeout", "30"],
            cwd=ROOT,
            env=no_broker_env,
            capture_output=True,
            timeout=120,
            check=False,
        )
    finally:
        subprocess.run(["bash", "scripts/demo.sh", "--down"], cwd=ROOT, env=env, timeout=120, check=False)
    events = [orjson.loads(line) for line in output.splitlines() if line.startswith("{")]
    assert {e["item_id"] for e in events} >= {"sample-id-001", "sample-en-001"}
    assert "invalid_json" in output
    assert 'meetwire_items_total{outcome="dead_letter"} 2.0' in metrics
    assert re.search(r"^  export MEETWIRE_BROKER=kafka://127\.0\.0\.1:\d+$", output, flags=re.M), output
    assert tailed.returncode == 0, tailed.stderr.decode()
    assert orjson.loads(tailed.stdout)["schema_version"] == 1
