"""The real worker against the real broker: the seed item in, its event out; bad input dead-lettered."""

from __future__ import annotations

import asyncio
import base64
import urllib.request
from pathlib import Path

import orjson
import pytest

from stream.app import create_app
from stream.client import produce_lines
from stream.faust_app import FETCH_MAX_WAIT_MS
from stream.schemas import load_validator
from stream.settings import Settings
from tests.conftest import SHARED_EVAL, free_port
from tests.worker_process import collect, running_worker, wait_ready, worker_env

RESULT_TIMEOUT_S = 90.0

pytestmark = pytest.mark.integration


def _seed_line() -> bytes:
    line = SHARED_EVAL.read_bytes().splitlines()[0]
    item = orjson.loads(line)
    wire = {k: item[k] for k in ("id", "text", "source", "url", "language", "title", "published_at")}
    return orjson.dumps(wire)


@pytest.mark.parametrize("bad", [b'{"id": "broken", "text": "unterminated'])
def test_worker_seed_to_event_and_bad_to_deadletter(
    kafka_bootstrap: str, unique: str, tmp_path: Path, bad: bytes
) -> None:
    env = worker_env(kafka_bootstrap, unique, free_port())
    settings = Settings.from_env(env)
    with running_worker(env, tmp_path / "worker.log") as worker:
        asyncio.run(produce_lines(settings, settings.topic_raw, [_seed_line(), bad]))
        events = collect(settings, settings.topic_events, until=1, timeout_s=RESULT_TIMEOUT_S)
        letters = collect(settings, settings.topic_deadletter, until=1, timeout_s=RESULT_TIMEOUT_S)
        with urllib.request.urlopen(worker.metrics_url, timeout=5) as response:  # noqa: S310 - loopback
            metrics_text = response.read().decode()
        assert events, f"no event arrived:\n{worker.log_tail()}"

    event = events[0]
    load_validator("meeting_event").validate(event)
    assert event["item_id"] == "antara-seed-0001"
    assert event["status"] == "held"
    names = sorted(p["name"] for p in event["participants"])  # type: ignore[union-attr,index]
    assert names == ["Sergey Lavrov", "Wang Yi"]
    assert event["location"]["name"] == "Moscow"  # type: ignore[index]
    assert event["date"]["value"] == "2023-09-18"  # type: ignore[index]
    assert event["topic"]["category"] == "politics"  # type: ignore[index]

    assert len(letters) == 1
    load_validator("dead_letter").validate(letters[0])
    assert letters[0]["reason"] == "invalid_json"
    assert base64.b64decode(str(letters[0]["payload_b64"])) == bad
    assert letters[0]["topic"] == settings.topic_raw

    assert 'meetwire_items_total{outcome="events"} 1.0' in metrics_text
    assert 'meetwire_deadletters_total{reason="invalid_json"} 1.0' in metrics_text


@pytest.mark.parametrize("wait_ms", [FETCH_MAX_WAIT_MS])
def test_worker_consumer_fetches_wait_briefly(kafka_bootstrap: str, unique: str, wait_ms: int) -> None:
    """Faust fixes 1500 ms, which stalls a busy partition behind a fetch parked on idle ones."""
    settings = Settings.from_env(worker_env(kafka_bootstrap, unique, free_port()))
    app = create_app(settings)

    async def started_fetch_wait() -> int:
        consumer = app.consumer._thread._create_worker_consumer(app.transport)  # the one Faust would start
        await consumer.start()
        try:
            fetch_wait: int = consumer._fetcher._fetch_max_wait_ms
            return fetch_wait
        finally:
            await consumer.stop()

    assert asyncio.run(started_fetch_wait()) == wait_ms


@pytest.mark.parametrize(("session_s", "heartbeat_s", "request_bytes"), [("8", "2", "500000")])
def test_worker_clients_get_session_heartbeat_and_request_size_settings(
    kafka_bootstrap: str, unique: str, session_s: str, heartbeat_s: str, request_bytes: str
) -> None:
    """Faust's own 60 s session would idle a killed worker's partitions for a minute after its restart."""
    env = worker_env(
        kafka_bootstrap,
        unique,
        free_port(),
        MEETWIRE_SESSION_TIMEOUT_S=session_s,
        MEETWIRE_HEARTBEAT_INTERVAL_S=heartbeat_s,
        MEETWIRE_MAX_REQUEST_BYTES=request_bytes,
    )
    app = create_app(Settings.from_env(env))

    async def client_settings() -> tuple[int, int, int]:
        consumer = app.consumer._thread._create_worker_consumer(app.transport)  # the ones Faust would start
        producer = app.producer._new_producer()
        await consumer.start()
        try:
            return consumer._session_timeout_ms, consumer._heartbeat_interval_ms, producer._max_request_size
        finally:
            await consumer.stop()

    expected = (int(float(session_s) * 1000), int(float(heartbeat_s) * 1000), int(request_bytes))
    assert asyncio.run(client_settings()) == expected


@pytest.mark.parametrize(("setting", "loop"), [(None, "uvloop"), ("asyncio", "asyncio")])
def test_worker_runs_the_event_loop_its_setting_names(
    kafka_bootstrap: str, unique: str, tmp_path: Path, setting: str | None, loop: str
) -> None:
    extra = {} if setting is None else {"MEETWIRE_EVENT_LOOP": setting}
    env = worker_env(kafka_bootstrap, unique, free_port(), **extra)
    with running_worker(env, tmp_path / "worker.log") as worker:
        body = wait_ready([worker])
    info = next(line for line in body.splitlines() if line.startswith("meetwire_build_info{"))
    assert f'event_loop="{loop}"' in info
