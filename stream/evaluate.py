"""``meetwire eval``: run the extractor over a gold JSONL file and score it by language.

Scored in-process by ``stream.scoring``, which computes what the shared quality scorer
(``../shared/eval/score.py``) computes, so an installed meetwire needs no file outside its
package. ``--scorer FILE`` runs another scorer of the same command line instead, as a
subprocess of this interpreter.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

from stream.scoring import load_jsonl, report_text, score_sets

SCORER_TIMEOUT_SECONDS = 300.0
"""Upper bound for one external scorer run; the shared scorer takes well under a second on dev sets."""


def write_events(gold: Path, out: Path) -> int:
    """Extract every item of ``gold`` into ``out`` (events JSONL); returns the number of events."""
    from stream.extract import load_extractor
    from stream.offline import extract_file
    from stream.progress import count_lines
    from stream.settings import Settings

    extractor = load_extractor()
    total = count_lines(str(gold), stream=sys.stderr)
    with gold.open("rb") as src, out.open("wb") as dst:
        counts = extract_file(src, dst, extractor, Settings.from_env(), total=total)
    return counts.events


def evaluate(gold: Path, *, explain: bool, scorer: Path | None = None) -> str:
    """The scorer's report (``--by-language``, plus ``--explain`` when asked) for the extractor on ``gold``.

    ``scorer``: a scorer script to run instead of ``stream.scoring`` (same arguments and output).
    """
    with tempfile.TemporaryDirectory(prefix="meetwire-eval-") as tmp:
        predicted = Path(tmp) / "events.jsonl"
        write_events(gold, predicted)
        if scorer is None:
            scores = score_sets(load_jsonl(gold), load_jsonl(predicted), by_language=True, explain=explain)
            return report_text(scores)
        cmd = [sys.executable, str(scorer), str(gold), str(predicted), "--by-language"]
        if explain:
            cmd.append("--explain")
        done = subprocess.run(  # noqa: S603 - our own interpreter running the given scorer file
            cmd, capture_output=True, text=True, check=True, timeout=SCORER_TIMEOUT_SECONDS
        )
    return done.stdout
