"""``meetwire eval``: run the extractor over a gold JSONL file and score it with ``score.py``.

The scorer is the shared one (``../shared/eval/score.py``), run as a subprocess with the
current interpreter so that what we report is exactly what the quality checks compute.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import orjson

from stream.records import WireItem

SCORER_TIMEOUT_SECONDS = 300.0
"""Upper bound for one scorer run; the shared scorer takes well under a second on dev sets."""

_ITEM_FIELDS = ("id", "text", "source", "url", "language", "title", "published_at")


def gold_items(lines: Iterable[bytes]) -> Iterator[WireItem]:
    """Wire items from gold JSONL lines (extra fields such as ``events`` and ``meta`` ignored)."""
    for line in lines:
        if not line.strip():
            continue
        raw: dict[str, Any] = orjson.loads(line)
        fields = {k: raw.get(k) for k in _ITEM_FIELDS}
        yield WireItem(
            id=str(fields["id"]),
            text=str(fields["text"]),
            source=fields["source"],
            url=fields["url"],
            language=fields["language"],
            title=fields["title"],
            published_at=fields["published_at"],
        )


def write_events(gold: Path, out: Path) -> int:
    """Extract every item of ``gold`` into ``out`` (events JSONL); returns the number of events."""
    from stream.extract import load_extractor

    extractor = load_extractor()
    with gold.open("rb") as f:
        items = list(gold_items(f))
    count = 0
    with out.open("wb") as f:
        for events in extractor.extract_many([(item, None) for item in items]):
            for event in events:
                f.write(orjson.dumps(event.to_dict()) + b"\n")
                count += 1
    return count


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
