"""A consumer group's committed offsets: show them with the lag, move one partition's.

``meetwire offsets`` shows, per partition of a topic, where a group (by default the worker's)
has committed, where the partition ends and the lag between. Moving a partition's offset is
how to skip a record by hand (``--past OFFSET``: the group resumes after that record), or to
re-read from an offset or a time. Kafka accepts such a commit only from outside the group, so a
move refuses while the group has members: stop the workers first, move, start them again::

    meetwire offsets                                  # the worker's group on the raw topic
    meetwire offsets --partition 0 --past 41 --dry-run
    meetwire offsets --partition 0 --past 41

Built on aiokafka's admin client (group state, committed offsets) and a consumer outside
the group (partition ends, offsets for a time, the commit itself).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.structs import OffsetAndMetadata

from stream.client import client_config
from stream.settings import Settings

EMPTY_GROUP_STATES = frozenset({"Empty", "Dead"})
"""Group states in which Kafka accepts a commit from outside the group (no member holds partitions)."""


class OffsetsError(Exception):
    """A move that cannot be made as asked (live group, unknown partition, offset out of range)."""


@dataclass(frozen=True, slots=True)
class PartitionOffsets:
    """One partition's committed offset for a group, and where the partition starts and ends."""

    topic: str
    """Topic name."""
    partition: int
    """Partition number."""
    committed: int | None
    """The group's next offset to read; None when the group never committed on this partition."""
    start: int
    """Offset of the oldest record still in the partition (log start)."""
    end: int
    """Offset the next record written will get (log end)."""

    @property
    def lag(self) -> int | None:
        """Records after the committed offset (None: nothing committed)."""
        return None if self.committed is None else max(self.end - self.committed, 0)


@dataclass(frozen=True, slots=True)
class OffsetMove:
    """A planned or made change of one partition's committed offset."""

    group: str
    """Consumer group."""
    before: PartitionOffsets
    """The partition as it was (its ``committed`` is the old offset)."""
    offset: int
    """The new committed offset: the next record the group reads."""
    committed: bool
    """False for a dry run."""


async def group_state(settings: Settings, group: str) -> tuple[str, int]:
    """The group's state (``Empty``, ``Stable``, ``Dead``...) and its number of members."""
    admin = AIOKafkaAdminClient(**client_config(settings))
    try:
        await admin.start()
        (response,) = await admin.describe_consumer_groups([group])
        # DescribeGroups response: (error_code, group_id, state, protocol_type, protocol, members, ...)
        (described,) = response.groups
        return str(described[2]), len(described[5])
    finally:
        await admin.close()


async def partition_offsets(settings: Settings, group: str, topic: str) -> list[PartitionOffsets]:
    """Every partition of ``topic``, in order, with ``group``'s committed offset on it."""
    admin = AIOKafkaAdminClient(**client_config(settings))
    consumer = AIOKafkaConsumer(**client_config(settings), group_id=None, enable_auto_commit=False)
    try:
        await admin.start()
        await consumer.start()
        partitions = await _partitions(admin, topic)
        committed = await admin.list_consumer_group_offsets(group, partitions=partitions)
        starts = await consumer.beginning_offsets(partitions)
        ends = await consumer.end_offsets(partitions)
    finally:
        await consumer.stop()
        await admin.close()
    rows = []
    for tp in partitions:
        at = committed.get(tp)
        rows.append(
            PartitionOffsets(
                topic=tp.topic,
                partition=tp.partition,
                committed=at.offset if at is not None and at.offset >= 0 else None,
                start=starts[tp],
                end=ends[tp],
            )
        )
    return rows


async def move_offset(
    settings: Settings,
    group: str,
    topic: str,
    partition: int,
    *,
    to_offset: int | None = None,
    past_offset: int | None = None,
    to_time: datetime | None = None,
    dry_run: bool = False,
) -> OffsetMove:
    """Commit a new offset for one partition of ``group``: exactly one of the three targets.

    ``to_offset``: the next record to read; ``past_offset``: skip the record at this offset
    (resume right after it); ``to_time``: the first record at or after that time (the
    partition's end if none is). Raises ``OffsetsError`` when the group has members or the
    target is outside the partition's records.
    """
    if sum(target is not None for target in (to_offset, past_offset, to_time)) != 1:
        raise ValueError("give exactly one of to_offset, past_offset, to_time")
    rows = {row.partition: row for row in await partition_offsets(settings, group, topic)}
    if partition not in rows:
        raise OffsetsError(f"{topic} has no partition {partition} (partitions: {sorted(rows)})")
    before = rows[partition]
    tp = TopicPartition(topic, partition)
    if past_offset is not None:
        if not before.start <= past_offset < before.end:
            raise OffsetsError(f"{topic}[{partition}] holds offsets {before.start}-{before.end - 1}, not {past_offset}")
        offset = past_offset + 1
    elif to_offset is not None:
        if not before.start <= to_offset <= before.end:
            raise OffsetsError(f"{topic}[{partition}] offsets run {before.start}-{before.end}, not {to_offset}")
        offset = to_offset
    else:
        assert to_time is not None  # noqa: S101 - checked above: exactly one target
        offset = await _offset_for_time(settings, tp, to_time, default=before.end)
    state, members = await group_state(settings, group)
    if members or state not in EMPTY_GROUP_STATES:
        raise OffsetsError(
            f"group {group} is {state} with {members} member(s); stop its consumers (the workers) before moving "
            "its offsets, or Kafka refuses the commit"
        )
    if not dry_run:
        await _commit(settings, group, tp, offset)
    return OffsetMove(group=group, before=before, offset=offset, committed=not dry_run)


async def _partitions(admin: AIOKafkaAdminClient, topic: str) -> list[TopicPartition]:
    # Listed first: a metadata request naming a missing topic could create it (auto-create).
    if topic not in await admin.list_topics():
        raise OffsetsError(f"no topic {topic} on the broker")
    (described,) = await admin.describe_topics([topic])
    return [
        TopicPartition(topic, p["partition"]) for p in sorted(described["partitions"], key=lambda p: p["partition"])
    ]


async def _offset_for_time(settings: Settings, tp: TopicPartition, when: datetime, *, default: int) -> int:
    if when.tzinfo is None:
        raise OffsetsError(f"{when.isoformat()} has no time zone; add one (e.g. +00:00 or Z)")
    consumer = AIOKafkaConsumer(**client_config(settings), group_id=None, enable_auto_commit=False)
    try:
        await consumer.start()
        found = await consumer.offsets_for_times({tp: int(when.timestamp() * 1000)})
    finally:
        await consumer.stop()
    at = found.get(tp)
    return default if at is None else int(at.offset)


async def _commit(settings: Settings, group: str, tp: TopicPartition, offset: int) -> None:
    # Assigned, not subscribed: the consumer never joins the group, and commits as an outsider,
    # which Kafka allows while the group is empty.
    consumer = AIOKafkaConsumer(**client_config(settings), group_id=group, enable_auto_commit=False)
    try:
        await consumer.start()
        consumer.assign([tp])
        await consumer.commit({tp: OffsetAndMetadata(offset, "meetwire offsets")})
    finally:
        await consumer.stop()


def format_table(group: str, rows: Sequence[PartitionOffsets]) -> str:
    """One line per partition: committed offset, start, end and lag (``-`` when nothing is committed)."""
    lines = [f"group {group}", f"{'topic':<24} {'partition':>9} {'committed':>10} {'start':>10} {'end':>10} {'lag':>8}"]
    for row in rows:
        committed = "-" if row.committed is None else str(row.committed)
        lag = "-" if row.lag is None else str(row.lag)
        lines.append(f"{row.topic:<24} {row.partition:>9} {committed:>10} {row.start:>10} {row.end:>10} {lag:>8}")
    return "\n".join(lines) + "\n"
