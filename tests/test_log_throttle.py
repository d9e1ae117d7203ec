"""Quiet logs under faults: the Kafka libraries' repeated warnings are throttled, meetwire's never."""

from __future__ import annotations

import logging
import time
import urllib.request
from pathlib import Path

import pytest

from stream.devtools import kafka_local
from stream.log_throttle import RepeatThrottle
from tests.conftest import free_port
from tests.worker_process import running_worker, worker_env

BROKER_START_TIMEOUT_S = 120.0
READY_AGAIN_TIMEOUT_S = 120.0
OUTAGE_S = 20.0
MAX_OUTAGE_LINES = 40
"""WARNING/ERROR lines allowed for the outage: a few kinds of failure, each about once per 30 s."""


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


@pytest.fixture
def collected() -> tuple[logging.Logger, _Collect]:
    handler = _Collect()
    handler.addFilter(RepeatThrottle(interval_s=0.5))
    root = logging.getLogger("log-throttle-test")
    root.handlers = [handler]
    root.propagate = False
    return root, handler


@pytest.mark.parametrize("name", ["aiokafka.conn", "faust.transport", "mode.services"])
def test_log_throttle_repeats_once_per_interval_with_a_count(
    collected: tuple[logging.Logger, _Collect], name: str
) -> None:
    root, handler = collected
    logger = root.getChild(name)
    # The filter looks at the logger's own name: give the child the library's.
    logger.name = name
    for attempt in range(50):
        logger.warning("Unable connect to node with id %s: attempt %d", 1, attempt)
    time.sleep(0.6)
    logger.warning("Unable connect to node with id %s: attempt %d", 1, 50)
    assert len(handler.messages) == 2
    assert handler.messages[0] == "Unable connect to node with id 1: attempt 0"
    assert "[and 49 like it in the" in handler.messages[1]


@pytest.mark.parametrize("name", ["meetwire", "agents.extract", "stream.process"])
def test_log_throttle_never_holds_back_meetwires_own(collected: tuple[logging.Logger, _Collect], name: str) -> None:
    root, handler = collected
    logger = root.getChild(name)
    logger.name = name
    for offset in range(20):
        logger.warning("dead letter %s[%s]@%s: %s", "wire.raw", 0, offset, "invalid_json")
    assert len(handler.messages) == 20


@pytest.mark.parametrize("outage_s", [OUTAGE_S])
def test_log_throttle_broker_outage_writes_tens_of_lines(unique: str, tmp_path: Path, outage_s: float) -> None:
    """A worker on a broker of its own, stopped for ``outage_s``: few WARNING/ERROR lines, then ready again."""
    data_dir = tmp_path / "kafka"
    broker = kafka_local.start(data_dir=data_dir, timeout_s=BROKER_START_TIMEOUT_S)
    try:
        env = worker_env(broker.bootstrap, unique, free_port())
        with running_worker(env, tmp_path / "worker.log") as worker:
            ready_url = worker.metrics_url.replace("/metrics", "/ready")
            assert _wait_ready(ready_url, READY_AGAIN_TIMEOUT_S)
            before = worker.log_path.stat().st_size
            kafka_local.stop(data_dir)
            time.sleep(outage_s)
            kafka_local.start(data_dir=data_dir, timeout_s=BROKER_START_TIMEOUT_S)
            assert _wait_ready(ready_url, READY_AGAIN_TIMEOUT_S), worker.log_tail()
            assert worker.process.poll() is None
            with worker.log_path.open("rb") as log:
                log.seek(before)
                lines = log.read().decode(errors="replace").splitlines()
    finally:
        kafka_local.stop(data_dir)
    loud = [line for line in lines if "WARNING" in line or "ERROR" in line]
    print(f"outage {outage_s:g} s: {len(lines)} lines, {len(loud)} WARNING/ERROR")  # noqa: T201
    assert len(loud) <= MAX_OUTAGE_LINES, "\n".join(loud[:60])


def _wait_ready(url: str, timeout_s: float) -> bool:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 - loopback
                if response.status == 200:
                    return True
        except OSError:
            pass
        time.sleep(0.5)
    return False
