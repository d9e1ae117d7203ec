"""``meetwire offsets`` against the real broker: committed offsets and lag, and moves of one
partition's offset (to an offset, past a record, to a time), dry runs and a live group refused."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition

from stream.client import create_topics
from stream.offsets import OffsetsError, PartitionOffsets, move_offset, partition_offsets
from stream.settings import Settings

pytestmark = pytest.mark.integration

RECORDS = 5
PARTITIONS = 2
FIRST_TIMESTAMP = datetime(2026, 3, 1, 8, 0, tzinfo=UTC)
RECORD_SPACING = timedelta(seconds=1)
JOIN_TIMEOUT_S = 30.0
CLI_TIMEOUT_S = 60


def _settings(bootstrap: str) -> Settings:
    return Settings.from_env({"MEETWIRE_BROKER": f"kafka://{bootstrap}"})


async def _fill(settings: Settings, topic: str) -> None:
    """``RECORDS`` records on partition 0, one ``RECORD_SPACING`` apart from ``FIRST_TIMESTAMP``; partition 1 empty."""
    await create_topics(settings, [topic], partitions=PARTITIONS)
    producer = AIOKafkaProducer(bootstrap_servers=settings.bootstrap_servers, acks="all")
    await producer.start()
    try:
        for i in range(RECORDS):
            stamp = FIRST_TIMESTAMP + i * RECORD_SPACING
            await producer.send_and_wait(topic, f"record {i}".encode(), partition=0, timestamp_ms=_ms(stamp))
    finally:
        await producer.stop()


def _ms(when: datetime) -> int:
    return int(when.timestamp() * 1000)


async def _committed(settings: Settings, group: str, tp: TopicPartition) -> int | None:
    """The group's committed offset as a consumer of the group sees it (independent of stream.offsets)."""
    consumer = AIOKafkaConsumer(bootstrap_servers=settings.bootstrap_servers, group_id=group, enable_auto_commit=False)
    await consumer.start()
    try:
        offset: int | None = await consumer.committed(tp)
        return offset
    finally:
        await consumer.stop()


@pytest.fixture
def filled(kafka_bootstrap: str, unique: str) -> tuple[Settings, str, str]:
    settings = _settings(kafka_bootstrap)
    topic = f"offsets-{unique}"
    asyncio.run(_fill(settings, topic))
    return settings, topic, f"offsets-group-{unique}"


@pytest.mark.parametrize("past", [2])
def test_cli_offsets_show_then_skip_one_record(filled: tuple[Settings, str, str], past: int) -> None:
    settings, topic, group = filled
    before = asyncio.run(partition_offsets(settings, group, topic))
    assert before == [
        PartitionOffsets(topic=topic, partition=0, committed=None, start=0, end=RECORDS),
        PartitionOffsets(topic=topic, partition=1, committed=None, start=0, end=0),
    ]
    move = asyncio.run(move_offset(settings, group, topic, 0, past_offset=past))
    assert (move.before.committed, move.offset, move.committed) == (None, past + 1, True)
    assert asyncio.run(_committed(settings, group, TopicPartition(topic, 0))) == past + 1
    (after, untouched) = asyncio.run(partition_offsets(settings, group, topic))
    assert (after.committed, after.lag) == (past + 1, RECORDS - past - 1)
    assert (untouched.committed, untouched.lag) == (None, None)


@pytest.mark.parametrize("to", [1])
def test_cli_offsets_dry_run_commits_nothing(filled: tuple[Settings, str, str], to: int) -> None:
    settings, topic, group = filled
    asyncio.run(move_offset(settings, group, topic, 0, to_offset=4))
    move = asyncio.run(move_offset(settings, group, topic, 0, to_offset=to, dry_run=True))
    assert (move.before.committed, move.offset, move.committed) == (4, to, False)
    assert asyncio.run(_committed(settings, group, TopicPartition(topic, 0))) == 4


@pytest.mark.parametrize(
    ("after_first", "expected"),
    [(2.5 * RECORD_SPACING, 3), (timedelta(0), 0), (10 * RECORD_SPACING, RECORDS)],
)
def test_cli_offsets_move_to_a_time(filled: tuple[Settings, str, str], after_first: timedelta, expected: int) -> None:
    settings, topic, group = filled
    move = asyncio.run(move_offset(settings, group, topic, 0, to_time=FIRST_TIMESTAMP + after_first))
    assert move.offset == expected
    assert asyncio.run(_committed(settings, group, TopicPartition(topic, 0))) == expected


@pytest.mark.parametrize(
    ("partition", "target", "message"),
    [
        (0, {"to_offset": RECORDS + 1}, "offsets run 0-5"),
        (0, {"past_offset": RECORDS}, "holds offsets 0-4"),
        (1, {"past_offset": 0}, "holds offsets 0--1"),
        (7, {"to_offset": 0}, "no partition 7"),
    ],
)
def test_cli_offsets_refuses_targets_outside_the_partition(
    filled: tuple[Settings, str, str], partition: int, target: dict[str, int], message: str
) -> None:
    settings, topic, group = filled
    with pytest.raises(OffsetsError, match=message):
        asyncio.run(move_offset(settings, group, topic, partition, **target))
    assert asyncio.run(_committed(settings, group, TopicPartition(topic, 0))) is None


@pytest.mark.parametrize("to", [0])
def test_cli_offsets_refuses_to_move_a_live_group(filled: tuple[Settings, str, str], to: int) -> None:
    settings, topic, group = filled

    async def move_while_a_member_consumes() -> None:
        member = AIOKafkaConsumer(
            topic, bootstrap_servers=settings.bootstrap_servers, group_id=group, auto_offset_reset="earliest"
        )
        await member.start()
        try:
            async with asyncio.timeout(JOIN_TIMEOUT_S):
                await member.getone()  # joined and consuming
            await member.commit()
            with pytest.raises(OffsetsError, match="stop its consumers"):
                await move_offset(settings, group, topic, 0, to_offset=to)
        finally:
            await member.stop()

    asyncio.run(move_while_a_member_consumes())
    assert asyncio.run(_committed(settings, group, TopicPartition(topic, 0))) == 1  # the member's commit stands
    asyncio.run(move_offset(settings, group, topic, 0, to_offset=to))  # once it has left, the move goes through
    assert asyncio.run(_committed(settings, group, TopicPartition(topic, 0))) == to


@pytest.mark.parametrize("past", [3])
def test_cli_offsets_command_line(filled: tuple[Settings, str, str], past: int, tmp_path: Path) -> None:
    settings, topic, group = filled
    env = {k: v for k, v in os.environ.items() if not k.startswith("MEETWIRE_")} | {
        "MEETWIRE_BROKER": settings.broker,
        "MEETWIRE_APP_ID": group,
        "MEETWIRE_TOPIC_RAW": topic,
    }

    def meetwire(*argv: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "stream.cli", "offsets", *argv],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            timeout=CLI_TIMEOUT_S,
            check=False,
        )

    dry = meetwire("--partition", "0", "--past", str(past), "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert dry.stdout == f"group {group} {topic}[0]: - -> {past + 1} (dry run, nothing committed)\n"
    moved = meetwire("--partition", "0", "--past", str(past))
    assert moved.stdout == f"group {group} {topic}[0]: - -> {past + 1} (committed)\n", moved.stderr
    shown = meetwire()
    assert shown.returncode == 0, shown.stderr
    rows = [line.split() for line in shown.stdout.splitlines()[2:]]
    assert rows == [
        [topic, "0", str(past + 1), "0", str(RECORDS), str(RECORDS - past - 1)],
        [topic, "1", "-", "0", "0", "-"],
    ]
    wrong = meetwire("--partition", "0")
    assert wrong.returncode == 2
    assert len(wrong.stderr.splitlines()) == 1
