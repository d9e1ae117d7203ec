"""Agents: meeting events in, canonical meetings out (``meetings.canonical``, compacted).

Two thin shells around ``stream.canonical.Merger``:

- ``canonical_route`` reads ``meetings.events`` and re-sends each event to the app's own
  ``<app id>-canonical-route`` topic, keyed and partitioned by its blocking key, so that every
  report of a meeting reaches the same partition (the same worker, the same table partition).
- ``canonical_merge`` reads that topic and merges each event into two Faust tables
  (``canonical-blocks``: a party's name key -> meeting ids; ``canonical-meetings``: meeting id
  -> reports), whose changelog topics restore them after a crash or a rebalance, then
  publishes the meeting's new record keyed by ``meeting_id``.

At-least-once: sends are not awaited one by one (a broker round trip each, 40 events/s
measured); Faust flushes the producer, and so waits for every send and changelog write,
before it commits offsets (``Consumer._commit_offsets``), so a crash replays whatever was not
acknowledged. A replayed event is a duplicate (same ``event_id``): the merge changes nothing and the agent
sends the meeting's current record again, the same bytes, so an event whose table write
survived a crash but whose record did not still gets its record out.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterable, Callable
from datetime import UTC, datetime, timedelta

import orjson
from faust.types import EventT

from stream.app import app, metrics, settings
from stream.canonical import Merger, load_day_words, load_name_rules
from stream.canonical.store import TableView, partition_of
from stream.topics import canonical_route_topic, canonical_topic, events_topic

SWEEP_INTERVAL = timedelta(hours=1)
"""Record time between two retention sweeps of a partition."""

log = logging.getLogger(__name__)

blocks_table = app.Table(
    "canonical-blocks",
    key_type=str,
    value_type=str,
    partitions=settings.topic_partitions,
)
meetings_table = app.Table(
    "canonical-meetings",
    key_type=str,
    value_type=str,
    partitions=settings.topic_partitions,
)


@app.agent(events_topic, concurrency=1)  # concurrency 1: faust #606 commits past in-flight messages otherwise
async def canonical_route(stream: AsyncIterable[EventT[bytes]]) -> None:
    await canonical_route_topic.maybe_declare()
    merger = Merger(load_name_rules(), blocks={}, meetings={})  # only its blocking key is used here
    partitions = settings.topic_partitions
    async for event in stream.events():  # type: ignore[attr-defined]
        await _route(event, merger, partitions)
        await app.processed([event])


async def _route(event: EventT[bytes], merger: Merger, partitions: int) -> None:
    message = event.message
    try:
        value = orjson.loads(message.value or b"")  # a tombstone is unreadable too
        block = merger.block_of(value)
    except (orjson.JSONDecodeError, TypeError, AttributeError, KeyError) as exc:
        # Our own extractor wrote it; a record we cannot read is logged and left, not retried for ever.
        log.error(
            "unreadable meeting event %s[%s]@%s skipped: %s", message.topic, message.partition, message.offset, exc
        )
        metrics.canonical_events.labels("unreadable").inc()
        return
    await canonical_route_topic.send(
        key=block.encode("utf-8"),
        value=message.value,
        partition=partition_of(block, partitions),
        timestamp=message.timestamp,
    )


@app.agent(canonical_route_topic, concurrency=1)
async def canonical_merge(stream: AsyncIterable[EventT[bytes]]) -> None:
    await canonical_topic.maybe_declare()
    names = load_name_rules()
    days = load_day_words()
    retention = timedelta(days=settings.canonical_retention_days)
    partitions = settings.topic_partitions
    last_sweep: dict[int, datetime] = {}
    mergers: dict[int, Merger] = {}
    async for event in stream.events():  # type: ignore[attr-defined]
        partition = event.message.partition
        merger = mergers.get(partition)
        if merger is None:  # one per partition, so its name caches last
            merger = mergers[partition] = Merger(
                names,
                blocks=TableView(blocks_table, f"{partition}\x1f"),
                meetings=TableView(meetings_table),
                max_reports=settings.canonical_max_reports,
                max_meetings_per_key=settings.canonical_max_meetings_per_key,
                days=days,
            )
        seen_at = await _merge(event, merger)
        if seen_at - last_sweep.get(partition, datetime.min.replace(tzinfo=UTC)) >= SWEEP_INTERVAL:
            last_sweep[partition] = seen_at
            dropped = merger.expire(seen_at, retention, owns=_owned_by(partition, partitions))
            metrics.canonical_expired.inc(len(dropped))
            metrics.canonical_table_meetings.set(len(meetings_table))  # a full scan: at sweeps only
        await app.processed([event])


async def _merge(event: EventT[bytes], merger: Merger) -> datetime:
    """Merge one event and send its meeting's record; the event's record time."""
    message = event.message
    seen_at = datetime.fromtimestamp(message.timestamp, UTC) if message.timestamp else datetime.now(UTC)
    try:
        outcome = merger.add(orjson.loads(message.value or b""), seen_at)
    except (orjson.JSONDecodeError, TypeError, AttributeError, KeyError, ValueError) as exc:
        log.error("unmergeable event %s[%s]@%s skipped: %s", message.topic, message.partition, message.offset, exc)
        metrics.canonical_events.labels("unreadable").inc()
        return seen_at
    record = outcome.record or outcome.current
    if record is not None:
        await canonical_topic.send(key=record["meeting_id"].encode("utf-8"), value=orjson.dumps(record))
    metrics.canonical_events.labels(outcome.decision).inc()
    for reason, count in outcome.rejected.items():
        metrics.canonical_rejections.labels(reason).inc(count)
    if outcome.record is not None:
        metrics.canonical_reports_per_meeting.observe(outcome.record["support"]["reports"])  # listed or not
    return seen_at


def _owned_by(partition: int, partitions: int) -> Callable[[str], bool]:
    """Whether a meeting (by its first report's blocking key) lives in ``partition``: the only
    ones a sweep may delete, since a table write goes to the current event's partition."""
    return lambda block: partition_of(block, partitions) == partition
