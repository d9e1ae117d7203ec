"""The real worker (``meetwire worker``) as a child process: start it, scrape it, stop it.

One harness for the tests and the benchmark. The worker runs in a session of its own (so a
signal reaches Faust's threads too), with its log in a file and its Faust data folder beside
the log, and it is watched through its own ``/metrics``.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from stream.metrics import worker_ready
from stream.settings import Settings

READY_TIMEOUT_S = 180.0
STOP_TIMEOUT_S = 30.0
HTTP_TIMEOUT_S = 5.0
POLL_READY_S = 0.25
REPO_ROOT = Path(__file__).resolve().parents[2]
FIRST_FAILURE_MAX_CHARS = 6000
"""At most this much of the log's first error line and first traceback goes before its tail."""
_ERROR_LINE = re.compile(r'^\[[^]]*\] \[\d+\] \[(?:ERROR|CRITICAL)\]|"level":"(?:ERROR|CRITICAL)"', re.MULTILINE)
"""A record at ERROR or above: Faust's text format (``[time] [pid] [LEVEL] ...``) or ours in JSON."""
_TRACEBACK_START = "Traceback (most recent call last):"


class WorkerError(RuntimeError):
    """A worker exited, or did not become ready in time; the message ends with its log."""


@dataclass(frozen=True, slots=True)
class WorkerProcess:
    """A worker started by :func:`start_worker`."""

    process: subprocess.Popen[bytes]
    settings: Settings
    env: Mapping[str, str]
    """The settings it was given (over the parent's environment)."""
    log_path: Path

    @property
    def metrics_url(self) -> str:
        return f"http://{self.settings.web_host}:{self.settings.web_port}/metrics"

    def log_tail(self, chars: int = 4000) -> str:
        """The log's last ``chars``, after its first error and first traceback when they come
        before those: a worker that crashes logs its cause first, then pages of shutdown."""
        try:
            text = self.log_path.read_text(errors="replace")
        except OSError:
            return "(no log)"
        return log_excerpt(text, chars)

    def scrape(self) -> str | None:
        """The ``/metrics`` text, or None while it does not answer."""
        try:
            with urllib.request.urlopen(self.metrics_url, timeout=HTTP_TIMEOUT_S) as response:  # noqa: S310 - loopback
                body: bytes = response.read()
                return body.decode()
        except OSError:
            return None

    def check_alive(self) -> None:
        if self.process.poll() is not None:
            raise WorkerError(f"worker exited with {self.process.returncode}:\n{self.log_tail()}")


def log_excerpt(text: str, tail_chars: int) -> str:
    """``text``'s last ``tail_chars``, preceded by its first ERROR/CRITICAL line and its first
    traceback (each once, cut to :data:`FIRST_FAILURE_MAX_CHARS`) when they lie before the tail."""
    tail_start = max(0, len(text) - tail_chars)
    parts: list[str] = []
    error = _ERROR_LINE.search(text)
    if error is not None and error.start() < tail_start:
        line_start = text.rfind("\n", 0, error.start()) + 1
        line_end = text.find("\n", error.start())
        parts.append("first error: " + text[line_start : line_end if line_end >= 0 else len(text)])
    traceback_start = text.find(_TRACEBACK_START)
    if 0 <= traceback_start < tail_start:
        parts.append("first traceback:\n" + _traceback_at(text, traceback_start))
    if not parts:
        return text[tail_start:]
    first = "\n".join(parts)[:FIRST_FAILURE_MAX_CHARS]
    return f"{first}\n... last {tail_chars} characters of the log:\n{text[tail_start:]}"


def _traceback_at(text: str, start: int) -> str:
    """The traceback starting at ``start``: its indented frames and the exception line that ends it."""
    lines = text[start:].splitlines()
    out = [lines[0]]
    for line in lines[1:]:
        out.append(line)
        if line and not line[0].isspace():
            break  # "SomeError: message", the last line of a traceback
    return "\n".join(out)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def start_worker(env: Mapping[str, str], log_path: Path, *, inherit: bool = True) -> WorkerProcess:
    """Start ``python -m stream.cli worker`` with ``env`` (over this process's environment, unless
    ``inherit=False``: ``env`` is complete); its log in ``log_path`` and its Faust data folder
    (``<app id>-data``) in the log's folder."""
    full_env = {**os.environ, **env} if inherit else dict(env)
    full_env["PYTHONPATH"] = os.pathsep.join(p for p in (str(REPO_ROOT), full_env.get("PYTHONPATH", "")) if p)
    with open(log_path, "wb") as log:
        process = subprocess.Popen(  # our own interpreter and module
            [sys.executable, "-m", "stream.cli", "worker"],
            env=full_env,
            cwd=log_path.parent,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    return WorkerProcess(process, Settings.from_env(dict(env)), dict(env), log_path)


def wait_ready(workers: Sequence[WorkerProcess], timeout_s: float = READY_TIMEOUT_S) -> str:
    """Block until every worker says on ``/metrics`` that it is ready; the last one's ``/metrics``."""
    deadline = time.monotonic() + timeout_s
    pending = list(workers)
    text = ""
    while pending:
        for worker in list(pending):
            worker.check_alive()
            scraped = worker.scrape()
            if scraped is not None and worker_ready(scraped):
                pending.remove(worker)
                text = scraped
        if pending and time.monotonic() > deadline:
            raise WorkerError(f"worker not ready within {timeout_s}s:\n{pending[0].log_tail()}")
        if pending:
            time.sleep(POLL_READY_S)
    return text


def stop_worker(worker: WorkerProcess, sig: int = signal.SIGTERM) -> int:
    """Send ``sig`` to the worker's session and wait; SIGKILL if it will not stop. Its exit status."""
    if worker.process.poll() is None:
        os.killpg(worker.process.pid, sig)
        try:
            worker.process.wait(STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            os.killpg(worker.process.pid, signal.SIGKILL)
            worker.process.wait(STOP_TIMEOUT_S)
    return worker.process.returncode


@contextmanager
def running_worker(
    env: Mapping[str, str], log_path: Path, *, ready: bool = True, inherit: bool = True
) -> Iterator[WorkerProcess]:
    """:func:`start_worker`, ready (unless ``ready=False``: a worker expected to exit on its own, or
    watched from its very start) and always stopped on leaving the block."""
    worker = start_worker(env, log_path, inherit=inherit)
    try:
        if ready:
            wait_ready([worker])
        yield worker
    finally:
        stop_worker(worker)
