"""Watching real ``meetwire worker`` processes (``stream/devtools/worker_process.py``) through ``/metrics``.

Progress is read from the worker's own ``meetwire_items_total`` counter (items whose events
the broker acknowledged), polled every ``POLL_INTERVAL_S``; memory from ``/proc/<pid>/status``.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from prometheus_client.parser import text_string_to_metric_families

from stream.devtools.worker_process import WorkerError, WorkerProcess

POLL_INTERVAL_S = 0.25
"""Each scrape costs the worker a few milliseconds of its event loop: poll no faster than needed."""
WARM_UP_FRACTION = 0.1
"""Share of a stage's items left out of its throughput: the worker's start-up transients."""


@dataclass(frozen=True, slots=True)
class Progress:
    """Items done over time: first poll that saw any, and the poll that saw them all."""

    first_at: float
    first_count: float
    last_at: float
    last_count: float
    cpu_seconds: float
    """CPU time (user + system, all threads) the workers used between the two polls."""
    extract_seconds: float
    """Wall time the workers spent inside the extractor between the two polls (their own metric)."""
    per_worker: tuple[float, ...]
    """Items each worker had done at the end: how the partitions shared the work."""

    @property
    def items_per_s(self) -> float:
        elapsed = self.last_at - self.first_at
        return (self.last_count - self.first_count) / elapsed if elapsed > 0 else 0.0

    @property
    def extracting_share(self) -> float:
        """Share of the elapsed time (summed over workers) spent extracting; the rest is streaming."""
        elapsed = self.last_at - self.first_at
        return self.extract_seconds / elapsed if elapsed > 0 else 0.0

    @property
    def items_per_cpu_s(self) -> float:
        """Throughput per CPU second: what the workers would do on a core of their own."""
        items = self.last_count - self.first_count
        return items / self.cpu_seconds if self.cpu_seconds > 0 else 0.0


def _samples(worker: WorkerProcess) -> tuple[float, float] | None:
    """Items done, and seconds spent in the extractor, from one scrape."""
    text = worker.scrape()
    if text is None:
        return None
    items = extracting = 0.0
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name == "meetwire_items_total":
                items += sample.value
            elif sample.name == "meetwire_extract_batch_duration_seconds_sum":
                extracting += sample.value
    return items, extracting


def watch_progress(
    workers: Sequence[WorkerProcess],
    *,
    until: int,
    timeout_s: float,
    warm_up: float = WARM_UP_FRACTION,
    poll_s: float = POLL_INTERVAL_S,
    then: Callable[[], object] | None = None,
) -> Progress:
    """Poll the workers' counters until they have done ``until`` items; times are ``time.monotonic``.

    ``then``, if given, is called once, right after a first poll whose counts become the zero
    (so workers that did earlier rounds can be measured again): it sends the items.

    The measurement starts at the first poll that saw ``warm_up`` of the items done, which
    leaves out start-up transients (first fetches, cold caches). When the items go too fast
    for that (a tiny run), it starts at the last poll that saw nothing done.
    """
    deadline = time.monotonic() + timeout_s
    zero: list[float] | None = None
    idle: _Poll | None = None
    warm: _Poll | None = None
    while True:
        now = time.monotonic()
        counts = []
        extracting = 0.0
        for worker in workers:
            worker.check_alive()
            items, seconds = _samples(worker) or (0.0, 0.0)
            counts.append(items)
            extracting += seconds
        if zero is None:
            zero = counts if then is not None else [0.0] * len(workers)
        per_worker = [count - before for count, before in zip(counts, zero, strict=True)]
        poll = _Poll(now, sum(per_worker), sum(cpu_seconds(w.process.pid) for w in workers), extracting)
        if poll.done >= until:
            start = warm or idle or poll
            return Progress(
                start.at,
                start.done,
                poll.at,
                poll.done,
                poll.cpu - start.cpu,
                poll.extracting - start.extracting,
                tuple(per_worker),
            )
        if poll.done == 0:
            idle = poll
        elif warm is None and poll.done >= warm_up * until:
            warm = poll
        if now > deadline:
            raise WorkerError(f"only {poll.done:.0f}/{until} items done after {timeout_s}s:\n{workers[0].log_tail()}")
        if then is not None:
            then()
            then = None
            continue  # the next poll at once: the load takes about a second
        time.sleep(poll_s)


@dataclass(frozen=True, slots=True)
class _Poll:
    at: float
    done: float
    cpu: float
    extracting: float


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a live process so far (``/proc/<pid>/stat``)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def peak_rss_mb(pid: int) -> float:
    """``VmHWM`` (peak resident set) of a live process, in MiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise WorkerError(f"no VmHWM for pid {pid}")
