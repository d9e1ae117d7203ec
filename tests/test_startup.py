"""Honest start-up: no broker gives documented retries then exit 75; a refused login gives exit 78.

Before: with no broker the worker logged "the worker keeps trying" and exited 1 after 2.6 s; with
SASL configured against a plaintext listener it exited 1 with ``IllegalSaslStateError``.
"""

from __future__ import annotations

import asyncio
import contextlib
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from stream.cli import EXIT_BROKER_ACCESS, EXIT_WORKER_NO_BROKER
from tests.conftest import free_port
from tests.worker_process import running_worker, wait_ready, worker_env

EXIT_TIMEOUT_S = 90.0

pytestmark = pytest.mark.integration


def _unused_broker() -> str:
    """A loopback address where nothing listens: connections are refused at once."""
    return f"127.0.0.1:{free_port()}"


def _wait_exit(process: subprocess.Popen[bytes], timeout_s: float = EXIT_TIMEOUT_S) -> tuple[int, float]:
    started = time.monotonic()
    code = process.wait(timeout_s)
    return code, time.monotonic() - started


@pytest.mark.parametrize("startup_timeout_s", [6.0])
def test_startup_no_broker_retries_then_exits_75(unique: str, tmp_path: Path, startup_timeout_s: float) -> None:
    env = worker_env(_unused_broker(), unique, free_port(), MEETWIRE_STARTUP_TIMEOUT_S=str(startup_timeout_s))
    with running_worker(env, tmp_path / "worker.log", ready=False) as worker:
        code, _ = _wait_exit(worker.process)
    log = worker.log_path.read_text(errors="replace")
    assert code == EXIT_WORKER_NO_BROKER, log[-3000:]
    assert f"retrying with backoff for up to {startup_timeout_s:g} s" in log
    assert f"within MEETWIRE_STARTUP_TIMEOUT_S={startup_timeout_s:g} s; exiting with 75" in log
    assert "Traceback" not in log
    # Backoff 1, 2, 4 s within 6 s: a handful of lines, not one per attempt of a library.
    assert sum(1 for line in log.splitlines() if " WARNING " in line or " ERROR " in line) <= 3, log


@pytest.mark.parametrize("startup_timeout_s", [0.0])
def test_startup_no_broker_and_no_retries_exits_75_at_once(
    unique: str, tmp_path: Path, startup_timeout_s: float
) -> None:
    env = worker_env(_unused_broker(), unique, free_port(), MEETWIRE_STARTUP_TIMEOUT_S=str(startup_timeout_s))
    with running_worker(env, tmp_path / "worker.log", ready=False) as worker:
        code, _ = _wait_exit(worker.process)
    log = worker.log_path.read_text(errors="replace")
    assert code == EXIT_WORKER_NO_BROKER, log[-3000:]
    assert "retrying" not in log
    assert "within MEETWIRE_STARTUP_TIMEOUT_S=0 s; exiting with 75" in log


@contextlib.contextmanager
def _late_proxy(port: int, target: str, delay_s: float) -> Iterator[None]:
    """Listens on ``port`` only after ``delay_s``, forwarding each connection to ``target``.

    The broker's metadata names its own address, so past the bootstrap the worker talks to it directly.
    """
    host, _, target_port = target.rpartition(":")
    stop = threading.Event()

    async def pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        with contextlib.suppress(OSError):
            while data := await reader.read(65536):
                writer.write(data)
                await writer.drain()
        writer.close()

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        up_reader, up_writer = await asyncio.open_connection(host, int(target_port))
        await asyncio.gather(pipe(reader, up_writer), pipe(up_reader, writer))

    async def serve() -> None:
        await asyncio.sleep(delay_s)
        server = await asyncio.start_server(handle, "127.0.0.1", port)
        async with server:
            await asyncio.to_thread(stop.wait)

    thread = threading.Thread(target=lambda: asyncio.run(serve()), daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(10)


@pytest.mark.parametrize("broker_late_s", [4.0])
def test_startup_broker_late_within_the_timeout_starts(
    kafka_bootstrap: str, unique: str, tmp_path: Path, broker_late_s: float
) -> None:
    proxy_port = free_port()
    env = worker_env(f"127.0.0.1:{proxy_port}", unique, free_port(), MEETWIRE_STARTUP_TIMEOUT_S="60")
    with (
        _late_proxy(proxy_port, kafka_bootstrap, broker_late_s),
        running_worker(env, tmp_path / "worker.log", ready=False) as worker,
    ):
        wait_ready([worker])
    log = worker.log_path.read_text(errors="replace")
    assert "retrying with backoff for up to 60 s" in log
    assert "answered after" in log


@pytest.mark.parametrize("mechanism", ["PLAIN", "SCRAM-SHA-256"])
def test_startup_sasl_against_a_plaintext_listener_exits_78(
    kafka_bootstrap: str, unique: str, tmp_path: Path, mechanism: str
) -> None:
    env = worker_env(
        kafka_bootstrap,
        unique,
        free_port(),
        MEETWIRE_SECURITY_PROTOCOL="SASL_PLAINTEXT",
        MEETWIRE_SASL_MECHANISM=mechanism,
        MEETWIRE_SASL_USERNAME="meetwire",
        MEETWIRE_SASL_PASSWORD="not-a-secret-but-never-logged",  # noqa: S106 - a test value
    )
    with running_worker(env, tmp_path / "worker.log", ready=False) as worker:
        code, _ = _wait_exit(worker.process)
    log = worker.log_path.read_text(errors="replace")
    assert code == EXIT_BROKER_ACCESS, log[-3000:]
    assert "MEETWIRE_SECURITY_PROTOCOL" in log
    assert "not-a-secret-but-never-logged" not in log
    assert "Traceback" not in log
