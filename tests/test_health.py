"""The worker's HTTP surface against the real broker: ``/metrics``, ``/ready``, ``/live`` and nothing of Faust's."""

from __future__ import annotations

import asyncio
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path

import orjson
import pytest

from stream.client import create_topics, produce_lines
from stream.health import HttpServer, LoopWatchdog, live_reply
from stream.metrics import worker_ready
from stream.settings import Settings
from tests.conftest import SHARED_EVAL, free_port
from tests.worker_process import WorkerProcess, running_worker, worker_env

HTTP_TIMEOUT_S = 5.0
LOG_SETTLE_S = 0.3
"""Time for a line about a request to reach the log file."""

pytestmark = pytest.mark.integration


def _status(worker: WorkerProcess, path: str, method: str = "GET") -> int:
    return _get(worker.settings.web_host, worker.settings.web_port, path, method)[0]


def _get(host: str, port: int, path: str, method: str = "GET") -> tuple[int, str]:
    request = urllib.request.Request(f"http://{host}:{port}{path}", method=method)
    try:
        with urllib.request.urlopen(request, timeout=HTTP_TIMEOUT_S) as response:  # noqa: S310 - loopback
            return response.status, response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode()


@pytest.fixture(scope="module")
def worker(kafka_bootstrap: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[WorkerProcess]:
    """One worker for the module's read-only requests (a worker takes ~15 s to start)."""
    env = worker_env(kafka_bootstrap, uuid.uuid4().hex[:10], free_port())
    with running_worker(env, tmp_path_factory.mktemp("health") / "worker.log") as handle:
        yield handle


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/metrics", 200),
        ("/metrics?name[]=x", 200),
        ("/ready", 200),
        ("/live", 200),
        ("/", 404),
        ("/router/", 404),
        ("/router/topics", 404),
        ("/router/x/", 404),
        ("/table/", 404),
        ("/stats/", 404),
        ("/graph/", 404),
        ("/performance/", 404),
        ("/metrics/", 404),
        ("/no/such/path", 404),
    ],
)
def test_health_http_serves_only_meetwires_paths(worker: WorkerProcess, path: str, expected: int) -> None:
    before = worker.log_path.stat().st_size
    assert _status(worker, path) == expected
    logged = _log_since(worker, before)
    assert "Traceback" not in logged
    assert "Error" not in logged


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE"])
def test_health_http_other_methods_are_refused(worker: WorkerProcess, method: str) -> None:
    before = worker.log_path.stat().st_size
    assert _status(worker, "/metrics", method) == 501
    assert "Traceback" not in _log_since(worker, before)


def _log_since(worker: WorkerProcess, offset: int) -> str:
    """What the worker logged after ``offset`` bytes, a moment after a request."""
    time.sleep(LOG_SETTLE_S)
    with worker.log_path.open("rb") as log:
        log.seek(offset)
        return log.read().decode(errors="replace")


# -- readiness ------------------------------------------------------------------------------

READY_TIMEOUT_S = 120.0
STANDBY_OBSERVE_S = 15.0


@pytest.mark.parametrize("partitions", [1])
def test_health_ready_only_with_partitions_assigned(
    kafka_bootstrap: str, unique: str, tmp_path: Path, partitions: int
) -> None:
    """Two workers, one partition: the one that holds it is ready, the other never is (nor its gauge)."""
    env = worker_env(kafka_bootstrap, unique, free_port())
    settings = Settings.from_env(env)
    asyncio.run(create_topics(settings, [settings.topic_raw], partitions=partitions))
    # Each in a directory of its own: a worker keeps table files in its working directory.
    (tmp_path / "first").mkdir()
    (tmp_path / "second").mkdir()
    with running_worker(env, tmp_path / "first" / "worker.log") as first:
        assert _status(first, "/ready") == 200
        second_env = {**env, "MEETWIRE_WEB_PORT": str(free_port())}
        with running_worker(second_env, tmp_path / "second" / "worker.log", ready=False) as second:
            seen: set[tuple[int, str]] = set()
            deadline = time.monotonic() + READY_TIMEOUT_S
            # Until the second worker has joined the group and got nothing, then a while longer.
            while time.monotonic() < deadline and not any("no partition" in reason for _, reason in seen):
                seen.add(_probe(second, "/ready"))
                time.sleep(0.2)
            settle = time.monotonic() + STANDBY_OBSERVE_S
            while time.monotonic() < settle:
                seen.add(_probe(second, "/ready"))
                time.sleep(0.2)
            metrics_text = _get(second.settings.web_host, second.settings.web_port, "/metrics")[1]
            assert second.process.poll() is None, second.log_tail()
            assert _status(first, "/ready") == 200
        assert {status for status, _ in seen} <= {503, 0}, seen
        assert any(f"no partition of {settings.topic_raw} assigned" in reason for _, reason in seen), seen
        assert not worker_ready(metrics_text)
        assert "meetwire_worker_ready 0.0" in metrics_text


def _probe(worker: WorkerProcess, path: str) -> tuple[int, str]:
    """(status, body); (0, "") while the server does not answer yet."""
    try:
        return _get(worker.settings.web_host, worker.settings.web_port, path)
    except OSError:
        return 0, ""


# -- liveness -------------------------------------------------------------------------------

LIVENESS_TIMEOUT_S = 1.0
BACKLOG_ITEMS = 256
BACKLOG_TIMEOUT_S = 300.0


@pytest.mark.parametrize("liveness_timeout_s", [LIVENESS_TIMEOUT_S])
def test_health_live_during_extraction(
    kafka_bootstrap: str, unique: str, tmp_path: Path, liveness_timeout_s: float
) -> None:
    """A backlog of real articles, extracted in batches of 32: /live never fails, even with a 1 s limit."""
    env = worker_env(kafka_bootstrap, unique, free_port(), MEETWIRE_LIVENESS_TIMEOUT_S=str(liveness_timeout_s))
    settings = Settings.from_env(env)
    articles = [orjson.loads(line) for line in SHARED_EVAL.read_bytes().splitlines() if line.strip()]
    fields = ("text", "source", "url", "language", "title", "published_at")
    lines = [
        orjson.dumps({"id": f"live-{i}", **{k: articles[i % len(articles)].get(k) for k in fields}})
        for i in range(BACKLOG_ITEMS)
    ]
    with running_worker(env, tmp_path / "worker.log") as worker:
        asyncio.run(produce_lines(settings, settings.topic_raw, lines))
        statuses: list[int] = []
        gaps: list[float] = []
        deadline = time.monotonic() + BACKLOG_TIMEOUT_S
        while time.monotonic() < deadline:
            status, body = _get(settings.web_host, settings.web_port, "/live")
            statuses.append(status)
            gaps.append(float(body.split("turned ")[1].split(" s ago")[0]))
            metrics_text = _get(settings.web_host, settings.web_port, "/metrics")[1]
            if _processed(metrics_text) >= BACKLOG_ITEMS:
                break
            time.sleep(0.05)
        assert _processed(metrics_text) >= BACKLOG_ITEMS, worker.log_tail()
    assert set(statuses) == {200}, f"{statuses.count(503)} of {len(statuses)} /live probes failed"
    longest = body.split("longest gap between turns ")[1].split(" s")[0]
    batches = {
        line.split(" ")[0]: float(line.rsplit(" ", 1)[1])
        for line in metrics_text.splitlines()
        if line.startswith("meetwire_extract_batch_duration_seconds_")
    }
    mean = (
        batches["meetwire_extract_batch_duration_seconds_sum"]
        / batches["meetwire_extract_batch_duration_seconds_count"]
    )
    print(f"extraction batches: {batches['meetwire_extract_batch_duration_seconds_count']:g}, mean {mean:.3f} s")  # noqa: T201
    print(f"/live probes: {len(statuses)}, loop turned at most {max(gaps):.3f} s before one; longest gap {longest} s")  # noqa: T201


def _processed(metrics_text: str) -> float:
    total = 0.0
    for line in metrics_text.splitlines():
        if line.startswith("meetwire_items_total{"):
            total += float(line.rsplit(" ", 1)[1])
    return total


@pytest.mark.parametrize("blocked_s", [2.0])
def test_health_live_fails_while_the_loop_is_blocked(blocked_s: float) -> None:
    """The watchdog on a real loop, the server on its thread: a blocked loop gives 503, then 200 again."""
    port = free_port()
    results: list[tuple[int, str]] = []

    async def run() -> None:
        watchdog = LoopWatchdog(on_tick=lambda: None)
        server = HttpServer(
            host="127.0.0.1", port=port, routes={"/live": lambda: live_reply(watchdog, LIVENESS_TIMEOUT_S)}
        )
        server.add_dependency(watchdog)
        await server.start()
        try:
            await asyncio.sleep(0.6)
            results.append(await asyncio.to_thread(_get, "127.0.0.1", port, "/live"))
            probe = threading.Thread(target=lambda: results.append(_get("127.0.0.1", port, "/live")))
            probe_delay = threading.Timer(LIVENESS_TIMEOUT_S + 0.5, probe.start)
            probe_delay.start()
            time.sleep(blocked_s)  # blocks the event loop, as CPU work on it would  # noqa: ASYNC251
            probe_delay.join()
            probe.join(HTTP_TIMEOUT_S)
            await asyncio.sleep(0.6)
            results.append(await asyncio.to_thread(_get, "127.0.0.1", port, "/live"))
        finally:
            await server.stop()

    asyncio.run(run())
    assert [status for status, _ in results] == [200, 503, 200], results
