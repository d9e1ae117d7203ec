"""At-least-once against the real broker: kill the worker, restart the broker, stop it cleanly.

Each test sends the same mix of a few hundred good items and every malformed kind, breaks
something mid-stream, and compares what was published with a clean run's outcome: the sets
of event ids and dead letters must be equal (nothing lost, nothing invented); repeats are
the duplicate rate at-least-once allows, and a clean stop must cause none.
"""

from __future__ import annotations

import asyncio
import logging
import signal
from pathlib import Path

import pytest
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.admin.config_resource import ConfigResource, ConfigResourceType

from agents.extract import EXIT_UNPUBLISHED
from stream.app import create_app
from stream.client import produce_records
from stream.devtools import kafka_local
from stream.extract import MeetingExtractor
from stream.settings import Settings
from tests.conftest import free_port
from tests.delivery import Outcome, expected_outcome, mixed_input, wait_for_outcome, wait_until_processed
from tests.malformed import MALFORMED, MALFORMED_MAX_ITEM_BYTES
from tests.worker_process import collect, running_worker, stop_worker, worker_env

GOOD_ITEMS = 250
PROGRESS_TIMEOUT_S = 120.0
COMPLETE_TIMEOUT_S = 180.0
BROKER_START_TIMEOUT_S = 120.0
EXIT_TIMEOUT_S = 120.0

pytestmark = [pytest.mark.integration, pytest.mark.slow]
log = logging.getLogger(__name__)


@pytest.fixture(scope="module")
def records() -> list[tuple[bytes | None, bytes | None]]:
    return mixed_input(GOOD_ITEMS)


@pytest.fixture
def expected(records: list[tuple[bytes | None, bytes | None]], extractor: MeetingExtractor) -> Outcome:
    return expected_outcome(records, extractor)


def _env(bootstrap: str, unique: str) -> dict[str, str]:
    return worker_env(bootstrap, unique, free_port(), MEETWIRE_MAX_ITEM_BYTES=str(MALFORMED_MAX_ITEM_BYTES))


def _assert_nothing_lost(seen: Outcome, expected: Outcome, what: str) -> None:
    log.info("%s: expected %s; seen %s", what, expected.summary(), seen.summary())
    assert set(seen.event_ids) == set(expected.event_ids), what
    assert set(seen.dead_letters) == set(expected.dead_letters), what


@pytest.mark.parametrize("guarantee", ["at_least_once"])
def test_faults_worker_producer_is_idempotent_on_the_wire(kafka_bootstrap: str, unique: str, guarantee: str) -> None:
    settings = Settings.from_env(_env(kafka_bootstrap, unique))
    app = create_app(settings)
    assert app.conf.processing_guarantee.value == guarantee

    async def granted_producer_id() -> tuple[int, int]:
        producer = app.producer._new_producer()  # the aiokafka producer Faust would start
        await producer.start()
        try:
            await producer.send_and_wait(settings.topic_events, b"{}", key=b"probe")
            return producer._txn_manager.producer_id, producer._sender._acks
        finally:
            await producer.stop()

    producer_id, acks = asyncio.run(granted_producer_id())
    assert producer_id >= 0  # the broker answered InitProducerId: sequence numbers de-duplicate retries
    assert acks == -1


@pytest.mark.parametrize("kill_at", [(0.3, 0.5)])
def test_faults_sigkill_twice_loses_nothing(
    kafka_bootstrap: str,
    unique: str,
    tmp_path: Path,
    records: list[tuple[bytes | None, bytes | None]],
    expected: Outcome,
    kill_at: tuple[float, float],
) -> None:
    env = _env(kafka_bootstrap, unique)
    settings = Settings.from_env(env)
    asyncio.run(produce_records(settings, settings.topic_raw, records))
    killed_after: list[float] = []
    for run, fraction in enumerate(kill_at):
        with running_worker(env, tmp_path / f"worker-{run}.log") as worker:
            # Each run counts from 0: after a first kill that came late, half of what is left.
            at_least = min(len(records) * fraction, max(1.0, (len(records) - sum(killed_after)) / 2))
            killed_after.append(wait_until_processed(worker, at_least, PROGRESS_TIMEOUT_S))
            stop_worker(worker, signal.SIGKILL)
    with running_worker(env, tmp_path / "worker-final.log") as worker:
        seen = wait_for_outcome(settings, expected, COMPLETE_TIMEOUT_S)
        assert worker.process.poll() is None, worker.log_tail()

    log.info("SIGKILLed after %s of %d records processed", killed_after, len(records))
    _assert_nothing_lost(seen, expected, "two SIGKILLs")
    assert len(killed_after) == 2


@pytest.mark.parametrize("stop_at", [0.3])
def test_faults_sigterm_commits_and_restart_adds_no_duplicates(
    kafka_bootstrap: str,
    unique: str,
    tmp_path: Path,
    records: list[tuple[bytes | None, bytes | None]],
    expected: Outcome,
    stop_at: float,
) -> None:
    env = _env(kafka_bootstrap, unique)
    settings = Settings.from_env(env)
    asyncio.run(produce_records(settings, settings.topic_raw, records))
    with running_worker(env, tmp_path / "worker-0.log") as worker:
        wait_until_processed(worker, len(records) * stop_at, PROGRESS_TIMEOUT_S)
        code = stop_worker(worker, signal.SIGTERM)
        assert code == 0, worker.log_tail()
    with running_worker(env, tmp_path / "worker-1.log"):
        seen = wait_for_outcome(settings, expected, COMPLETE_TIMEOUT_S)

    _assert_nothing_lost(seen, expected, "SIGTERM and restart")
    assert seen.duplicates == 0
    assert {reason for _, reason in seen.dead_letters} >= {m.reason for m in MALFORMED}


@pytest.mark.parametrize("restart_at", [0.3])
def test_faults_broker_restart_loses_nothing(
    unique: str,
    tmp_path: Path,
    records: list[tuple[bytes | None, bytes | None]],
    expected: Outcome,
    restart_at: float,
) -> None:
    data_dir = tmp_path / "kafka"
    broker = kafka_local.start(data_dir=data_dir, timeout_s=BROKER_START_TIMEOUT_S)
    try:
        env = _env(broker.bootstrap, unique)
        settings = Settings.from_env(env)
        asyncio.run(produce_records(settings, settings.topic_raw, records))
        with running_worker(env, tmp_path / "worker.log") as worker:
            wait_until_processed(worker, len(records) * restart_at, PROGRESS_TIMEOUT_S)
            kafka_local.restart(data_dir, timeout_s=BROKER_START_TIMEOUT_S)
            seen = wait_for_outcome(settings, expected, COMPLETE_TIMEOUT_S)
            assert worker.process.poll() is None, worker.log_tail()
    finally:
        kafka_local.stop(data_dir)

    _assert_nothing_lost(seen, expected, "broker restart")


async def _set_topic_config(bootstrap: str, topic: str, configs: dict[str, str], *, create: bool) -> None:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        if create:
            await admin.create_topics([NewTopic(topic, num_partitions=1, replication_factor=1, topic_configs=configs)])
        else:
            await admin.alter_configs([ConfigResource(ConfigResourceType.TOPIC, topic, configs)])
    finally:
        await admin.close()


@pytest.mark.parametrize("max_message_bytes", ["200"])
def test_faults_refused_publish_exits_without_committing(
    kafka_bootstrap: str, unique: str, tmp_path: Path, max_message_bytes: str
) -> None:
    """A send the broker refuses for good (here: events topic limit smaller than an event) stops the
    worker with exit status 75 before the batch is acked; after the fix the batch is redone."""
    env = _env(kafka_bootstrap, unique)
    settings = Settings.from_env(env)
    small = {"max.message.bytes": max_message_bytes}
    asyncio.run(_set_topic_config(kafka_bootstrap, settings.topic_events, small, create=True))
    seed = [record for record in mixed_input(1) if record[0] == b"antara-seed-0001~0"]
    asyncio.run(produce_records(settings, settings.topic_raw, seed))
    log_path = tmp_path / "worker-refused.log"
    with running_worker(env, log_path, ready=False) as worker:  # it exits as soon as it consumes
        code = worker.process.wait(EXIT_TIMEOUT_S)
    assert code == EXIT_UNPUBLISHED, worker.log_tail()
    assert "could not process or publish 1 record(s)" in log_path.read_text(errors="replace")

    asyncio.run(
        _set_topic_config(kafka_bootstrap, settings.topic_events, {"max.message.bytes": "1048588"}, create=False)
    )
    with running_worker(env, tmp_path / "worker-fixed.log") as worker:
        events = collect(settings, settings.topic_events, until=1, timeout_s=COMPLETE_TIMEOUT_S)
        assert events, worker.log_tail()
    assert events[0]["item_id"] == "antara-seed-0001~0"
