"""Run the real worker (``meetwire worker``) as a child process against the test broker."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

import orjson

from stream.client import tail
from stream.metrics import worker_ready
from stream.settings import Settings

WORKER_READY_TIMEOUT_S = 120.0
WORKER_STOP_TIMEOUT_S = 30.0


@dataclass(frozen=True)
class WorkerHandle:
    process: subprocess.Popen[bytes]
    settings: Settings
    env: dict[str, str]
    log_path: Path

    @property
    def metrics_url(self) -> str:
        return f"http://{self.settings.web_host}:{self.settings.web_port}/metrics"

    def log_tail(self, chars: int = 4000) -> str:
        return self.log_path.read_text(errors="replace")[-chars:]


def worker_env(bootstrap: str, suffix: str, web_port: int, **extra: str) -> dict[str, str]:
    """Unique app id and topics, so tests never see each other's records."""
    env = {
        "MEETWIRE_BROKER": f"kafka://{bootstrap}",
        "MEETWIRE_APP_ID": f"meetwire-test-{suffix}",
        "MEETWIRE_TOPIC_RAW": f"test.{suffix}.raw",
        "MEETWIRE_TOPIC_EVENTS": f"test.{suffix}.events",
        "MEETWIRE_TOPIC_DEADLETTER": f"test.{suffix}.deadletter",
        "MEETWIRE_TOPIC_CANONICAL": f"test.{suffix}.canonical",
        "MEETWIRE_WEB_PORT": str(web_port),
        "MEETWIRE_LOG_LEVEL": "INFO",
    }
    env.update(extra)
    return env


@contextmanager
def running_worker(env: dict[str, str], log_path: Path, *, wait_ready: bool = True) -> Iterator[WorkerHandle]:
    """Start a worker, wait until it is ready (unless told not to), and always stop it afterwards.

    ``wait_ready=False`` is for a worker expected to exit on its own, possibly before a scrape
    ever sees it ready.
    """
    full_env = {**os.environ, **env}
    settings = Settings.from_env(env)
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "stream.cli", "worker"],
            env=full_env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            cwd=log_path.parent,  # Faust writes its <app id>-data folder into the working directory
        )
    handle = WorkerHandle(process, settings, env, log_path)
    try:
        if wait_ready:
            wait_for_metrics(handle)
        yield handle
    finally:
        stop_worker(handle)


def wait_for_metrics(handle: WorkerHandle, timeout_s: float = WORKER_READY_TIMEOUT_S) -> str:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if handle.process.poll() is not None:
            raise RuntimeError(f"worker exited with {handle.process.returncode}:\n{handle.log_tail()}")
        try:
            with urllib.request.urlopen(handle.metrics_url, timeout=2) as response:  # noqa: S310 - loopback
                body: str = response.read().decode()
                if worker_ready(body):
                    return body
        except OSError:
            pass
        time.sleep(0.5)
    raise TimeoutError(f"worker did not serve /metrics within {timeout_s}s:\n{handle.log_tail()}")


def stop_worker(handle: WorkerHandle, sig: int = signal.SIGTERM) -> int:
    if handle.process.poll() is None:
        os.killpg(handle.process.pid, sig)
        try:
            handle.process.wait(WORKER_STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            os.killpg(handle.process.pid, signal.SIGKILL)
            handle.process.wait(WORKER_STOP_TIMEOUT_S)
    return handle.process.returncode


def collect(settings: Settings, topic: str, *, until: int, timeout_s: float) -> list[dict[str, object]]:
    """Read a topic from the start until ``until`` records arrived or ``timeout_s`` passed."""

    async def run() -> list[dict[str, object]]:
        out: list[dict[str, object]] = []

        async def read() -> None:
            async for value in tail(settings, topic, max_messages=until):
                out.append(orjson.loads(value))

        with suppress(TimeoutError):
            await asyncio.wait_for(read(), timeout_s)
        return out

    return asyncio.run(run())
