"""The worker's HTTP surface against the real broker: ``/metrics`` and nothing of Faust's."""

from __future__ import annotations

import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator

import pytest

from tests.conftest import free_port
from tests.worker_process import WorkerHandle, running_worker, worker_env

HTTP_TIMEOUT_S = 5.0
LOG_SETTLE_S = 0.3
"""Time for a line about a request to reach the log file."""

pytestmark = pytest.mark.integration


def _status(worker: WorkerHandle, path: str, method: str = "GET") -> int:
    url = f"http://{worker.settings.web_host}:{worker.settings.web_port}{path}"
    request = urllib.request.Request(url, method=method)
    try:
        with urllib.request.urlopen(request, timeout=HTTP_TIMEOUT_S) as response:  # noqa: S310 - loopback
            status: int = response.status
            return status
    except urllib.error.HTTPError as exc:
        return exc.code


@pytest.fixture(scope="module")
def worker(kafka_bootstrap: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[WorkerHandle]:
    """One worker for the module's read-only requests (a worker takes ~15 s to start)."""
    env = worker_env(kafka_bootstrap, uuid.uuid4().hex[:10], free_port())
    with running_worker(env, tmp_path_factory.mktemp("health") / "worker.log") as handle:
        yield handle


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/metrics", 200),
        ("/metrics?name[]=x", 200),
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
def test_health_http_serves_only_meetwires_paths(worker: WorkerHandle, path: str, expected: int) -> None:
    before = worker.log_path.stat().st_size
    assert _status(worker, path) == expected
    logged = _log_since(worker, before)
    assert "Traceback" not in logged
    assert "Error" not in logged


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE"])
def test_health_http_other_methods_are_refused(worker: WorkerHandle, method: str) -> None:
    before = worker.log_path.stat().st_size
    assert _status(worker, "/metrics", method) == 501
    assert "Traceback" not in _log_since(worker, before)


def _log_since(worker: WorkerHandle, offset: int) -> str:
    """What the worker logged after ``offset`` bytes, a moment after a request."""
    time.sleep(LOG_SETTLE_S)
    with worker.log_path.open("rb") as log:
        log.seek(offset)
        return log.read().decode(errors="replace")
