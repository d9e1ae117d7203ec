"""Only meetwire's settings configure the worker: Faust's own environment variables are ignored.

Faust reads unprefixed variables (``WEB_PORT``, ``BROKER_SESSION_TIMEOUT``, ...) over the
arguments it is given. On Kubernetes a Service named ``web`` injects ``WEB_PORT=tcp://10.0.0.1:80``
into every pod, which made the worker exit 1; ``BROKER_SESSION_TIMEOUT`` silently replaced
``MEETWIRE_SESSION_TIMEOUT_S``.
"""

from __future__ import annotations

import asyncio
import time
import urllib.request
from pathlib import Path

import pytest

from stream.app import create_app
from stream.client import produce_lines
from stream.settings import Settings
from tests.conftest import free_port
from tests.worker_process import running_worker, worker_env

RESULT_TIMEOUT_S = 90.0

# What a Kubernetes Service named `web` injects, and a session timeout the broker refuses
# (its group.min.session.timeout.ms is 6 s): either one taking effect stops the worker.
FAUST_ENV = {"WEB_PORT": "tcp://10.0.0.1:80", "BROKER_SESSION_TIMEOUT": "1", "BROKER_REQUEST_TIMEOUT": "2"}

pytestmark = pytest.mark.integration


@pytest.mark.parametrize("faust_env", [FAUST_ENV])
def test_env_isolation_worker_ignores_faust_variables(
    kafka_bootstrap: str, unique: str, tmp_path: Path, faust_env: dict[str, str]
) -> None:
    env = worker_env(kafka_bootstrap, unique, free_port(), **faust_env)
    settings = Settings.from_env(env)
    line = b'{"id": "env-1", "text": "Nothing happened here.", "language": "en"}'
    # running_worker waits for /metrics on MEETWIRE_WEB_PORT with the worker ready.
    with running_worker(env, tmp_path / "worker.log") as worker:
        asyncio.run(produce_lines(settings, settings.topic_raw, [line]))
        # Consumed only if the group accepted the worker's session timeout (1 s is refused).
        consumed = 'meetwire_items_total{outcome="no_meeting"} 1.0'
        assert _wait_for_metric(worker.metrics_url, consumed), worker.log_tail()
        assert worker.process.poll() is None
    assert "tcp://10.0.0.1" not in worker.log_path.read_text(errors="replace")


@pytest.mark.parametrize("faust_env", [FAUST_ENV])
def test_env_isolation_consumer_timeouts_are_meetwires(
    kafka_bootstrap: str, unique: str, monkeypatch: pytest.MonkeyPatch, faust_env: dict[str, str]
) -> None:
    for name, value in faust_env.items():
        monkeypatch.setenv(name, value)
    settings = Settings.from_env(
        worker_env(
            kafka_bootstrap,
            unique,
            free_port(),
            MEETWIRE_SESSION_TIMEOUT_S="12",
            MEETWIRE_HEARTBEAT_INTERVAL_S="2",
            MEETWIRE_MAX_POLL_INTERVAL_S="400",
            MEETWIRE_REQUEST_TIMEOUT_S="45",
            MEETWIRE_REBALANCE_TIMEOUT_S="50",
            MEETWIRE_PRODUCER_REQUEST_TIMEOUT_S="70",
            MEETWIRE_METADATA_MAX_AGE_S="20",
        )
    )
    app = create_app(settings)
    assert app.conf.web_port == settings.web_port

    async def consumer_timeouts() -> tuple[int, ...]:
        consumer = app.consumer._thread._create_worker_consumer(app.transport)  # type: ignore[attr-defined]  # Faust would start it
        try:
            return (
                consumer._session_timeout_ms,
                consumer._heartbeat_interval_ms,
                consumer._max_poll_interval_ms,
                consumer._client._request_timeout_ms,
                consumer._rebalance_timeout_ms,
                consumer._client._metadata_max_age_ms,
            )
        finally:
            await consumer.stop()

    assert asyncio.run(consumer_timeouts()) == (12_000, 2_000, 400_000, 45_000, 50_000, 20_000)
    assert app.conf.producer_request_timeout == 70.0


def _wait_for_metric(url: str, line: str, timeout_s: float = RESULT_TIMEOUT_S) -> bool:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 - loopback
            if line in response.read().decode():
                return True
        time.sleep(0.5)
    return False
