"""The canonical agents in the real worker against the real broker.

Meeting events (invented names) are produced straight onto the events topic; the worker runs
with extraction off, so only the merge is exercised.
"""

from __future__ import annotations

import asyncio
import os
import signal
import urllib.request
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import orjson
import pytest
from aiokafka import AIOKafkaProducer

from stream.canonical.merge import Merger
from stream.canonical.names import load_name_rules
from stream.canonical.store import partition_of
from stream.client import client_config, produce_records
from stream.schemas import load_validator
from stream.settings import Settings
from tests.conftest import free_port
from tests.test_canonical_merge import _event
from tests.worker_process import collect, running_worker, worker_env

RESULT_TIMEOUT_S = 90.0

pytestmark = pytest.mark.integration


def _produce(settings: Settings, events: list[dict[str, Any]]) -> None:
    records = [(str(e["event_id"]).encode(), orjson.dumps(e)) for e in events]
    asyncio.run(produce_records(settings, settings.topic_events, records))


def _by_event(records: list[dict[str, Any]]) -> dict[str, set[str]]:
    """event_id -> every meeting_id any record filed it under."""
    out: dict[str, set[str]] = defaultdict(set)
    for record in records:
        for report in record["reports"]:
            out[report["event_id"]].add(record["meeting_id"])
    return out


@pytest.mark.parametrize("partitions", ["2"])
def test_canonical_agent_reports_in_any_order_one_stable_meeting(
    kafka_bootstrap: str, unique: str, tmp_path: Path, partitions: str
) -> None:
    env = worker_env(
        kafka_bootstrap, unique, free_port(), MEETWIRE_EXTRACT="false", MEETWIRE_TOPIC_PARTITIONS=partitions
    )
    settings = Settings.from_env(env)
    pair_a = ["Menlu Ardhana Wirasmoro", "Sergei Valkorin"]
    pair_b = ["Lina Morvay", "Presiden Oskar Bendt"]
    a = [
        _event("a1", pair_a, language="id", source="Wire A"),
        _event("a2", ["Ardhana Wirasmoro", "Sergey Valkorin"], day="2031-03-04", source="Wire B"),
        _event("a3", ["Valkorin", "Ardhana"], day=None, place=None, source="Wire C", reported_on="2031-03-05"),
    ]
    follow_up = _event("a4", pair_a, day="2031-03-20", reported_on="2031-03-20", source="Wire A")
    b = [
        _event("b1", pair_b, status="planned", source="Wire A"),
        _event("b2", ["Oskar Bendt", "Lina Morvay"], source="Wire B", language="id"),
        _event("b3", ["Bendt", "Morvay"], day=None, source="Wire C", reported_on="2031-03-04"),
    ]
    # A third meeting, routed to the other partition than A and B, arrives last: its partition's
    # first retention sweep then finds the other partition's meetings in the table.
    c = [_event("c1", ["Rania Solvik", "Dario Mendhal"], source="Wire A")]
    merger = Merger(load_name_rules(), blocks={}, meetings={})
    routed = {partition_of(merger.block_of(e), int(partitions)) for e in (a[0], b[0], c[0])}
    assert len(routed) == int(partitions), routed  # the test covers both partitions
    # Meeting A in arrival order, meeting B backwards (its held report first, then the planned one).
    produced = [a[0], b[2], a[1], b[1], follow_up, a[2], b[0], c[0]]
    with running_worker(env, tmp_path / "worker.log") as worker:
        _produce(settings, produced)
        records = collect(settings, settings.topic_canonical, until=len(produced), timeout_s=RESULT_TIMEOUT_S)
        assert len(records) == len(produced), f"{len(records)} record(s):\n{worker.log_tail()}"
        _produce(settings, [a[1]])  # a replay: the same record again, nothing new
        again = collect(settings, settings.topic_canonical, until=len(produced) + 1, timeout_s=RESULT_TIMEOUT_S)
        log = (tmp_path / "worker.log").read_text(errors="replace")
    # The retention sweep reads the meetings of both partitions: an agent that crashed on one
    # (and then again on every event) still publishes, so only its log tells.
    assert "Crashed reason" not in log, worker.log_tail()

    validator = load_validator("canonical_meeting")
    for record in records:
        validator.validate(record)
    filed = _by_event(records)
    assert all(len(ids) == 1 for ids in filed.values()), filed  # a meeting_id never changes
    meeting_a, meeting_b = filed["a1"], filed["b1"]
    assert filed["a2"] == filed["a3"] == meeting_a
    assert filed["b2"] == filed["b3"] == meeting_b
    assert filed["a4"] != meeting_a and meeting_a != meeting_b
    last = {r["meeting_id"]: r for r in records}
    (a_id,) = meeting_a
    (b_id,) = meeting_b
    assert [r["event_id"] for r in last[a_id]["reports"]] == ["a1", "a2", "a3"]
    assert last[b_id]["status"] == "held"
    assert len(last) == 4
    assert len(again) == len(produced) + 1
    assert again[-1] == last[a_id]  # the duplicate re-sent the meeting's record unchanged


@pytest.mark.slow
@pytest.mark.parametrize("store", ["rocksdb://"])
def test_canonical_agent_table_recovers_from_changelog_after_sigkill(
    kafka_bootstrap: str, unique: str, tmp_path: Path, store: str
) -> None:
    env = worker_env(kafka_bootstrap, unique, free_port(), MEETWIRE_EXTRACT="false", MEETWIRE_TABLE_STORE=store)
    settings = Settings.from_env(env)
    people = ["Ardhana Wirasmoro", "Sergey Valkorin"]
    reports = [
        _event("r1", people, source="Wire A"),
        _event("r2", people, source="Wire B", language="id"),
        _event("r3", ["Valkorin", "Wirasmoro"], day=None, source="Wire C", reported_on="2031-03-04"),
    ]
    first_dir, second_dir = tmp_path / "first", tmp_path / "second"
    first_dir.mkdir()
    second_dir.mkdir()  # a fresh working directory: no local RocksDB, only the changelog topic
    with running_worker(env, first_dir / "worker.log") as worker:
        _produce(settings, reports[:2])
        before = collect(settings, settings.topic_canonical, until=2, timeout_s=RESULT_TIMEOUT_S)
        assert len(before) == 2, worker.log_tail()
        os.killpg(worker.process.pid, signal.SIGKILL)
        worker.process.wait(30)
    assert list((first_dir / f"{settings.app_id}-data").iterdir()), "no table data on disk: not the RocksDB store"
    with running_worker(env, second_dir / "worker.log") as worker:
        _produce(settings, reports[2:])
        records = collect(settings, settings.topic_canonical, until=3, timeout_s=RESULT_TIMEOUT_S)
        while len(records[-1]["reports"]) < 3 and len(records) < 10:  # replays after the kill re-send records
            records = collect(settings, settings.topic_canonical, until=len(records) + 1, timeout_s=RESULT_TIMEOUT_S)
        log_tail = worker.log_tail()
    final = records[-1]
    assert [r["event_id"] for r in final["reports"]] == ["r1", "r2", "r3"], log_tail
    assert {r["meeting_id"] for r in records} == {before[0]["meeting_id"]}


async def _produce_at(settings: Settings, events: list[tuple[dict[str, Any], datetime]]) -> None:
    producer = AIOKafkaProducer(**client_config(settings), acks="all", enable_idempotence=True)
    await producer.start()
    try:
        for event, at in events:
            await producer.send_and_wait(
                settings.topic_events,
                orjson.dumps(event),
                key=str(event["event_id"]).encode(),
                timestamp_ms=int(at.timestamp() * 1000),
            )
    finally:
        await producer.stop()


@pytest.mark.parametrize("retention_hours", [1])
def test_canonical_agent_retention_drops_old_meetings_without_tombstones(
    kafka_bootstrap: str, unique: str, tmp_path: Path, retention_hours: int
) -> None:
    """Retention counts in record time; a dropped meeting keeps its last record on the compacted topic."""
    env = worker_env(
        kafka_bootstrap,
        unique,
        free_port(),
        MEETWIRE_EXTRACT="false",
        MEETWIRE_CANONICAL_RETENTION_DAYS=str(retention_hours / 24),
    )
    settings = Settings.from_env(env)
    people = ["Ardhana Wirasmoro", "Sergey Valkorin"]
    start = datetime.now(UTC) - timedelta(hours=10 * retention_hours)
    later = start + timedelta(hours=3 * retention_hours)  # past the retention and the hourly sweep
    events = [
        (_event("old", people, source="Wire A"), start),
        (_event("other", ["Lina Morvay", "Oskar Bendt"], source="Wire A"), later),  # sweeps the partition
        (_event("late", people, source="Wire B"), later),
    ]
    with running_worker(env, tmp_path / "worker.log") as worker:
        asyncio.run(_produce_at(settings, events))
        records = collect(settings, settings.topic_canonical, until=3, timeout_s=RESULT_TIMEOUT_S)
        metrics_text = urllib.request.urlopen(worker.metrics_url, timeout=5).read().decode()  # noqa: S310 - loopback
        assert len(records) == 3, worker.log_tail()
    assert all(isinstance(r, dict) for r in records)  # no tombstone (a null value) was published
    filed = _by_event(records)
    assert filed["late"] != filed["old"]  # the old meeting had left the table
    assert "meetwire_canonical_expired_total 1.0" in metrics_text
