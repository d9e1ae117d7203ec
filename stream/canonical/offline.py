"""Offline merge: meeting events JSONL in, canonical records JSONL out, in file order, no broker.

Every new or changed record is written, as the agent would publish it; a reader that keeps
the last line per ``meeting_id`` sees what the compacted topic holds.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import IO

import orjson

from stream.canonical.merge import Merger

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class MergeCounts:
    """What one offline run did."""

    created: int
    updated: int
    duplicates: int
    skipped: int
    """Non-blank lines that were not meeting events (each logged with its line number)."""


def merge_jsonl(lines: Iterable[bytes], out: IO[bytes], merger: Merger, *, seen_at: datetime) -> MergeCounts:
    """Merge every event line into ``merger``'s state and write each record it returns."""
    created = updated = duplicates = skipped = 0
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            event = orjson.loads(line)
            if not isinstance(event, dict) or not isinstance(event.get("event_id"), str):
                raise ValueError("not a meeting event (no event_id)")
            outcome = merger.add(event, seen_at)
        except (ValueError, KeyError, TypeError) as exc:
            skipped += 1
            log.error("line %d skipped: %s", number, exc)
            continue
        if outcome.record is None:
            duplicates += 1
            continue
        created += outcome.decision == "created"
        updated += outcome.decision == "updated"
        out.write(orjson.dumps(outcome.record) + b"\n")
    return MergeCounts(created=created, updated=updated, duplicates=duplicates, skipped=skipped)
