"""The crash-loop guard: a record that kills the worker is dead-lettered, not retried for ever.

Some records end the process rather than raise: a crash in a native library, memory
exhausted, a publish the broker refuses for good. Without a guard, every restart reads the
same record and dies again. So before the worker extracts a batch it notes, per partition,
the offsets in progress (a small JSON file in ``MEETWIRE_STATE_DIR``), and clears the note once
the batch's results are acknowledged. A note found at start-up names what was in progress when
the previous run died:

- a batch of several records: the restart processes them one at a time, to find the culprit;
- one record, in progress at ``limit`` deaths: it becomes a ``crash_loop`` dead letter unread.

A clean stop and a transient failure (broker unreachable, a publish timeout) clear the note
(``clear``): they are not the record's fault, and must stay retries.
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import orjson

from stream.codec import RecordOrigin

log = logging.getLogger(__name__)

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]")


@dataclass(frozen=True, slots=True)
class InFlight:
    """Offsets of one partition that were in progress when a run died."""

    first: int
    last: int
    crashes: int
    """Runs that died with these offsets in progress."""


@dataclass(frozen=True, slots=True)
class Segment:
    """Records to process together: indices into the batch, and what the guard knows of them."""

    indices: list[int]
    crashes: int = 0
    """Deaths of earlier runs with these records in progress (0 for records never suspected)."""
    doomed: bool = False
    """One record, in progress at ``limit`` deaths: dead-letter it as ``crash_loop`` unread."""


class CrashGuard:
    """Per-partition notes of the offsets in progress, in ``directory`` (one file per partition)."""

    def __init__(self, directory: Path, *, limit: int) -> None:
        self._directory = directory
        self._limit = limit
        self._suspects: dict[tuple[str, int], InFlight | None] = {}
        self._doomed: dict[tuple[str, int, int], int] = {}
        """Records doomed in this run, with their deaths: doomed again if read again. A seek to the
        committed offsets (Faust's, after restoring the tables, while the flow already runs) can
        bring one back before its dead letter's commit, when its note is already past."""

    @property
    def limit(self) -> int:
        return self._limit

    def segments(self, origins: Sequence[RecordOrigin]) -> list[Segment]:
        """Split a batch: suspects of the last run's death alone, each other run of records together."""
        out: list[Segment] = []
        normal: list[int] = []
        for i, origin in enumerate(origins):
            record = _record_key(origin)
            if record is not None and record in self._doomed:
                if normal:
                    out.append(Segment(normal))
                    normal = []
                out.append(Segment([i], self._doomed[record], doomed=True))
                continue
            suspect = self._suspect(origin)
            if suspect is None or origin.offset is None or not suspect.first <= origin.offset <= suspect.last:
                normal.append(i)
                continue
            if normal:
                out.append(Segment(normal))
                normal = []
            doomed = suspect.first == suspect.last and suspect.crashes >= self._limit
            if doomed and record is not None:
                self._doomed[record] = suspect.crashes
            out.append(Segment([i], suspect.crashes, doomed=doomed))
        if normal:
            out.append(Segment(normal))
        return out

    def begin(self, origins: Sequence[RecordOrigin], crashes: int) -> None:
        """Note these records as in progress (before extracting them).

        A note that cannot be written (read-only or full disk) is logged, and processing goes on
        unguarded: the guard must not become a reason to stop.
        """
        for (topic, partition), offsets in _by_partition(origins).items():
            note = {"first": min(offsets), "last": max(offsets), "crashes": crashes}
            path = self._path(topic, partition)
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
                temporary = path.with_suffix(".tmp")
                temporary.write_bytes(orjson.dumps(note))
                os.replace(temporary, path)  # a reader never sees half a note
            except OSError as exc:
                log.error("crash-loop guard cannot write %s (%s); this batch is not guarded", path, exc)

    def clear(self, origins: Sequence[RecordOrigin]) -> None:
        """These records are done (or stopped through no fault of theirs): forget the note."""
        for topic, partition in _by_partition(origins):
            with contextlib.suppress(FileNotFoundError, NotADirectoryError):
                self._path(topic, partition).unlink()

    def _suspect(self, origin: RecordOrigin) -> InFlight | None:
        if origin.topic is None or origin.partition is None:
            return None
        key = (origin.topic, origin.partition)
        if key not in self._suspects:
            self._suspects[key] = self._load(*key)
        suspect = self._suspects[key]
        if suspect is not None and origin.offset is not None and origin.offset >= suspect.last:
            self._suspects[key] = None  # past it: from here on the partition is trusted again
        return suspect

    def _load(self, topic: str, partition: int) -> InFlight | None:
        path = self._path(topic, partition)
        try:
            note = orjson.loads(path.read_bytes())
            suspect = InFlight(int(note["first"]), int(note["last"]), int(note["crashes"]) + 1)
        except (FileNotFoundError, NotADirectoryError):
            return None
        except (orjson.JSONDecodeError, KeyError, TypeError, ValueError):
            log.warning("ignoring unreadable crash-guard note %s", path)
            return None
        log.warning(
            "the previous run died with %s[%d]@%d..%d in progress (death %d; dead-lettered at %d)",
            topic,
            partition,
            suspect.first,
            suspect.last,
            suspect.crashes,
            self._limit,
        )
        return suspect

    def _path(self, topic: str, partition: int) -> Path:
        return self._directory / f"{_UNSAFE.sub('_', topic)}-{partition}.json"


def _record_key(origin: RecordOrigin) -> tuple[str, int, int] | None:
    if origin.topic is None or origin.partition is None or origin.offset is None:
        return None
    return origin.topic, origin.partition, origin.offset


def _by_partition(origins: Sequence[RecordOrigin]) -> dict[tuple[str, int], list[int]]:
    out: dict[tuple[str, int], list[int]] = {}
    for origin in origins:
        if origin.topic is not None and origin.partition is not None and origin.offset is not None:
            out.setdefault((origin.topic, origin.partition), []).append(origin.offset)
    return out
