"""A record that kills the worker process is dead-lettered after MEETWIRE_CRASH_LOOP_LIMIT deaths.

The real worker, against the real broker, SIGKILLs itself on a marked item (the test-only
``MEETWIRE_TEST_KILL_MARKER``), as a crash in a native library or the OOM killer would; the
test restarts it each time, as a supervisor does, and counts the deaths.
"""

from __future__ import annotations

import asyncio
import base64
import signal
import subprocess
import time
from pathlib import Path

import orjson
import pytest

from stream.client import produce_records
from stream.schemas import load_validator
from stream.settings import Settings
from tests.conftest import SHARED_EVAL, free_port
from tests.worker_process import collect, running_worker, worker_env

KILL_MARKER = "@@kill-the-worker@@"
RUN_TIMEOUT_S = 120.0
POLL_S = 2.0
RESULT_TIMEOUT_S = 60.0

pytestmark = [pytest.mark.integration, pytest.mark.slow]


def _item(item_id: str, extra: str = "") -> bytes:
    article = orjson.loads(SHARED_EVAL.read_bytes().splitlines()[0])
    wire = {k: article[k] for k in ("source", "url", "language", "title", "published_at")}
    return orjson.dumps({"id": item_id, "text": article["text"] + extra, **wire})


def _event_item_ids(settings: Settings, wanted: set[str]) -> set[str]:
    """Item ids of the events published, once ``wanted`` are all among them or the time is up."""
    deadline = time.monotonic() + RESULT_TIMEOUT_S
    seen: set[str] = set()
    while time.monotonic() < deadline and not wanted <= seen:
        seen = {str(e["item_id"]) for e in collect(settings, settings.topic_events, until=100, timeout_s=POLL_S)}
    return seen


@pytest.mark.parametrize("limit", [2])
def test_crash_loop_record_that_kills_the_worker_is_dead_lettered(
    kafka_bootstrap: str, unique: str, tmp_path: Path, limit: int
) -> None:
    env = worker_env(
        kafka_bootstrap,
        unique,
        free_port(),
        MEETWIRE_TEST_KILL_MARKER=KILL_MARKER,
        MEETWIRE_CRASH_LOOP_LIMIT=str(limit),
    )
    settings = Settings.from_env(env)
    poison = _item("poison", f" {KILL_MARKER}")
    records = [(b"before", _item("before")), (b"poison", poison), (b"after", _item("after"))]
    asyncio.run(produce_records(settings, settings.topic_raw, records))

    deaths: list[int] = []
    letters: list[dict[str, object]] = []
    for run in range(limit + 2):
        with running_worker(env, tmp_path / f"worker-{run}.log", ready=False) as worker:
            deadline = time.monotonic() + RUN_TIMEOUT_S
            while time.monotonic() < deadline and not letters:
                try:
                    deaths.append(worker.process.wait(POLL_S))
                    break
                except subprocess.TimeoutExpired:
                    letters = collect(settings, settings.topic_deadletter, until=1, timeout_s=POLL_S)
            if letters:
                item_ids = _event_item_ids(settings, {"before", "after"})
                alive = worker.process.poll() is None
                log_tail = worker.log_tail()
                break
    else:
        pytest.fail(f"no crash_loop dead letter after {len(deaths)} deaths")

    assert deaths == [-signal.SIGKILL] * limit
    assert alive, log_tail
    [letter] = letters
    load_validator("dead_letter").validate(letter)
    assert (letter["reason"], letter["offset"]) == ("crash_loop", 1)
    assert base64.b64decode(str(letter["payload_b64"])) == poison
    assert item_ids == {"after", "before"}, log_tail  # "before" may come twice: at-least-once
