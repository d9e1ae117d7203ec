"""Quiet logs under faults: repeated warnings of the Kafka libraries, once per interval with a count.

While a broker is down, aiokafka and Faust log the same failure for every connection attempt,
fetch and metadata refresh: a 61 s outage wrote 6,552 WARNING/ERROR lines (773 KB). A
:class:`RepeatThrottle` on each log handler lets the first record of a kind through, holds back
the like ones that follow within ``interval_s``, and appends to the next one let through how
many it held back, so nothing goes unreported. "Like" means same logger, level and message
template, numbers ignored (Faust formats some messages before logging them). meetwire's own
records (dead letters, failures, each naming ``topic[partition]@offset``) are never held back.
"""

from __future__ import annotations

import logging
import re
import threading
from dataclasses import dataclass

THROTTLE_INTERVAL_S = 30.0
"""At most one record of a kind per this many seconds."""
THROTTLED_LOGGERS = ("aiokafka", "faust", "mode")
"""Logger name prefixes whose WARNING and ERROR records are throttled."""
MAX_KINDS = 1000
"""Kinds remembered; past this the oldest are forgotten (a forgotten kind is let through again)."""

_NUMBER = re.compile(r"\d+")


@dataclass(slots=True)
class _Run:
    started: float
    """``LogRecord.created`` of the record of this kind last let through."""
    held_back: int = 0


class RepeatThrottle(logging.Filter):
    """A handler filter: the first record of a kind, then at most one per ``interval_s`` with a count."""

    def __init__(self, interval_s: float = THROTTLE_INTERVAL_S, loggers: tuple[str, ...] = THROTTLED_LOGGERS) -> None:
        super().__init__()
        self._interval_s = interval_s
        self._loggers = loggers
        self._runs: dict[tuple[str, int, str], _Run] = {}
        self._lock = threading.Lock()  # records come from the loop, the consumer thread and others

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno < logging.WARNING or not record.name.startswith(self._loggers):
            return True
        key = (record.name, record.levelno, _NUMBER.sub("#", str(record.msg)))
        with self._lock:
            run = self._runs.get(key)
            if run is not None and record.created - run.started < self._interval_s:
                run.held_back += 1
                return False
            if len(self._runs) >= MAX_KINDS:
                del self._runs[next(iter(self._runs))]
            self._runs[key] = _Run(record.created)
        if run is not None and run.held_back:
            seconds = record.created - run.started
            record.msg = f"{record.msg} [and {run.held_back} like it in the {seconds:.0f} s before, not logged]"
        return True


def install(root: logging.Logger | None = None, *, interval_s: float = THROTTLE_INTERVAL_S) -> None:
    """Add a :class:`RepeatThrottle` to every handler of ``root`` (the root logger by default) that has none."""
    for handler in (root or logging.getLogger()).handlers:
        if not any(isinstance(f, RepeatThrottle) for f in handler.filters):
            handler.addFilter(RepeatThrottle(interval_s))
