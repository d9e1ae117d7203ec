"""Real ``meetwire worker`` processes for the broker stages: start, watch through ``/metrics``, stop.

Progress is read from the worker's own ``meetwire_items_total`` counter (items whose events
the broker acknowledged), polled every ``POLL_INTERVAL_S``; memory from ``/proc/<pid>/status``.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from prometheus_client.parser import text_string_to_metric_families

from stream.metrics import worker_ready

POLL_INTERVAL_S = 0.25
"""Each scrape costs the worker a few milliseconds of its event loop: poll no faster than needed."""
WARM_UP_FRACTION = 0.1
"""Share of a stage's items left out of its throughput: the worker's start-up transients."""
READY_TIMEOUT_S = 180.0
STOP_TIMEOUT_S = 30.0
HTTP_TIMEOUT_S = 5.0
REPO_ROOT = Path(__file__).resolve().parents[3]


class WorkerError(RuntimeError):
    """A worker exited, or did not become ready or finish in time; the message ends with its log."""


@dataclass(frozen=True, slots=True)
class Worker:
    """A running worker process."""

    process: subprocess.Popen[bytes]
    web_port: int
    log_path: Path

    @property
    def metrics_url(self) -> str:
        return f"http://127.0.0.1:{self.web_port}/metrics"

    def log_tail(self, chars: int = 3000) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-chars:]
        except OSError:
            return "(no log)"


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


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def start_worker(env: Mapping[str, str], *, workdir: Path, name: str) -> Worker:
    """Start ``python -m stream.cli worker`` with ``env`` (complete), its Faust data dir in ``workdir``."""
    port = int(env["MEETWIRE_WEB_PORT"])
    log_path = workdir / f"{name}.log"
    full_env = dict(env)
    full_env["PYTHONPATH"] = os.pathsep.join(p for p in (str(REPO_ROOT), env.get("PYTHONPATH", "")) if p)
    with open(log_path, "wb") as log:
        process = subprocess.Popen(  # our own interpreter and module
            [sys.executable, "-m", "stream.cli", "worker"],
            env=full_env,
            cwd=workdir,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    return Worker(process, port, log_path)


def wait_ready(workers: Sequence[Worker], timeout_s: float = READY_TIMEOUT_S) -> None:
    """Block until every worker says on ``/metrics`` that it is ready (the extractor is loaded)."""
    deadline = time.monotonic() + timeout_s
    pending = list(workers)
    while pending:
        for worker in list(pending):
            _check_alive(worker)
            text = _scrape(worker)
            if text is not None and worker_ready(text):
                pending.remove(worker)
        if time.monotonic() > deadline:
            raise WorkerError(f"worker not ready within {timeout_s}s:\n{pending[0].log_tail()}")
        time.sleep(0.25)


def _samples(worker: Worker) -> tuple[float, float] | None:
    """Items done, and seconds spent in the extractor, from one scrape."""
    text = _scrape(worker)
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
    workers: Sequence[Worker],
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
            _check_alive(worker)
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


@contextmanager
def running_worker(env: Mapping[str, str], *, workdir: Path, name: str) -> Iterator[Worker]:
    """:func:`start_worker`, stopped on leaving the block."""
    worker = start_worker(env, workdir=workdir, name=name)
    try:
        yield worker
    finally:
        stop_worker(worker)


def stop_worker(worker: Worker) -> None:
    if worker.process.poll() is None:
        os.killpg(worker.process.pid, signal.SIGTERM)
        try:
            worker.process.wait(STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            os.killpg(worker.process.pid, signal.SIGKILL)
            worker.process.wait(STOP_TIMEOUT_S)


def _check_alive(worker: Worker) -> None:
    if worker.process.poll() is not None:
        raise WorkerError(f"worker exited with {worker.process.returncode}:\n{worker.log_tail()}")


def _scrape(worker: Worker) -> str | None:
    try:
        with urllib.request.urlopen(worker.metrics_url, timeout=HTTP_TIMEOUT_S) as response:  # noqa: S310 - loopback
            body: bytes = response.read()
            return body.decode()
    except OSError:
        return None
