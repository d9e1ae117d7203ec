"""``meetwire eval``: run the extractor over a gold JSONL file and score it with ``score.py``.

The scorer is the shared one (``../shared/eval/score.py``), run as a subprocess with the
current interpreter so that what we report is exactly what the quality checks compute.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

SCORER_TIMEOUT_SECONDS = 300.0
"""Upper bound for one scorer run; the shared scorer takes well under a second on dev sets."""


def write_events(gold: Path, out: Path) -> int:
    """Extract every item of ``gold`` into ``out`` (events JSONL); returns the number of events."""
    from stream.extract import load_extractor
    from stream.offline import extract_jsonl
    from stream.settings import Settings

    extractor = load_extractor()
    with gold.open("rb") as src, out.open("wb") as dst:
        counts = extract_jsonl(src, dst, extractor, max_item_bytes=Settings.from_env().max_item_bytes)
    return counts.events


def evaluate(gold: Path, *, explain: bool, scorer: Path) -> str:
    """The scorer's report (``--by-language``, plus ``--explain`` when asked) for the extractor on ``gold``."""
    with tempfile.TemporaryDirectory(prefix="meetwire-eval-") as tmp:
        predicted = Path(tmp) / "events.jsonl"
        write_events(gold, predicted)
        cmd = [sys.executable, str(scorer), str(gold), str(predicted), "--by-language"]
        if explain:
            cmd.append("--explain")
        done = subprocess.run(  # noqa: S603 - our own interpreter running the given scorer file
            cmd, capture_output=True, text=True, check=True, timeout=SCORER_TIMEOUT_SECONDS
        )
    return done.stdout
