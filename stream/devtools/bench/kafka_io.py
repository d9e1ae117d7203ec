"""The benchmark's own Kafka clients: create topics, load items in advance, pace items for latency.

Latency is measured from the raw record's timestamp (set by this producer when it sends the
item) to the moment its first meeting event is read by a plain consumer of the events topic,
so it includes the broker round trips on both sides and every batching delay in the worker.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections.abc import Sequence
from dataclasses import dataclass

import orjson
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient

from stream.client import client_config, record_key
from stream.settings import Settings

BULK_LINGER_MS = 20
BULK_MAX_BATCH_BYTES = 1_048_576
GROUP_POLL_INTERVAL_S = 0.5
LATENCY_DRAIN_S = 10.0
"""After the last paced item, the longest wait for the events still in flight..."""
LATENCY_QUIET_S = 2.0
"""...which ends sooner once no event has arrived for this long."""


async def load_items(settings: Settings, topic: str, lines: Sequence[bytes], *, partitions: int) -> float:
    """Send every line, round-robin per language so each partition gets the same mix; returns the seconds taken.

    Per language, because the languages cost differently (only Indonesian has a statistical
    tagger): a plain round-robin over a corpus that alternates languages would give each
    partition one language and make a two-worker run wait for the slower one.
    """
    seen: dict[str, int] = {}
    assigned = []
    for line in lines:
        language = str(orjson.loads(line).get("language"))
        assigned.append(seen.get(language, 0) % partitions)
        seen[language] = seen.get(language, 0) + 1
    producer = AIOKafkaProducer(
        **client_config(settings), acks="all", linger_ms=BULK_LINGER_MS, max_batch_size=BULK_MAX_BATCH_BYTES
    )
    await producer.start()
    started = time.monotonic()
    try:
        futures = [
            await producer.send(topic, value=line, key=record_key(line), partition=partition)
            for line, partition in zip(lines, assigned, strict=True)
        ]
        await asyncio.gather(*futures)
    finally:
        await producer.stop()
    return time.monotonic() - started


async def wait_group_stable(settings: Settings, group: str, *, members: int, timeout_s: float) -> None:
    """Block until consumer group ``group`` is ``Stable`` with ``members`` members (assignments done)."""
    admin = AIOKafkaAdminClient(**client_config(settings))
    await admin.start()
    deadline = time.monotonic() + timeout_s
    try:
        while True:
            described = await admin.describe_consumer_groups([group])
            for response in described:
                for entry in response.groups:
                    state, found = entry[2], entry[5]
                    if state == "Stable" and len(found) == members:
                        return
            if time.monotonic() > deadline:
                raise TimeoutError(f"group {group} not stable with {members} member(s) within {timeout_s}s")
            await asyncio.sleep(GROUP_POLL_INTERVAL_S)
    finally:
        await admin.close()


@dataclass(frozen=True, slots=True)
class LatencySample:
    """Produce-to-event latencies, in seconds, of the paced items that had an event."""

    latencies: tuple[float, ...]
    sent: int
    rate_per_s: float
    sent_after_s: tuple[float, ...] = ()
    """When each of those items was sent, in seconds from the first send (same order)."""

    def quantile(self, q: float) -> float:
        """Nearest-rank quantile; NaN when no item had an event."""
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        rank = max(0, min(len(ordered) - 1, math.ceil(q * len(ordered)) - 1))
        return ordered[rank]

    def tail_sent_between(self, q: float) -> tuple[float, float] | None:
        """First and last send time of the items at or above the ``q`` quantile: a tail sent
        within a second is a transient, one spread over the run is steady."""
        if not self.latencies or len(self.sent_after_s) != len(self.latencies):
            return None
        cut = self.quantile(q)
        times = [t for t, latency in zip(self.sent_after_s, self.latencies, strict=True) if latency >= cut]
        return min(times), max(times)


async def paced_latency(
    settings: Settings, *, raw_topic: str, events_topic: str, lines: Sequence[bytes], rate_per_s: float
) -> LatencySample:
    """Send ``lines`` at ``rate_per_s`` and time each item's first event on ``events_topic``."""
    consumer = AIOKafkaConsumer(**client_config(settings), group_id=None, enable_auto_commit=False)
    await consumer.start()
    producer = AIOKafkaProducer(**client_config(settings), acks="all")
    await producer.start()
    sent_at: dict[str, float] = {}
    latencies: dict[str, float] = {}
    try:
        partitions = consumer.partitions_for_topic(events_topic) or {0}
        assigned = [TopicPartition(events_topic, p) for p in sorted(partitions)]
        consumer.assign(assigned)
        await consumer.seek_to_end(*assigned)
        for tp in assigned:  # resolve the end offsets now, before the first paced item
            await consumer.position(tp)
        last_event = [time.monotonic()]
        reader = asyncio.create_task(_read_events(consumer, sent_at, latencies, last_event))
        try:
            started = time.time()
            futures = []
            for i, line in enumerate(lines):
                delay = started + i / rate_per_s - time.time()
                if delay > 0:
                    await asyncio.sleep(delay)
                now = time.time()
                item_id = record_key(line)
                sent_at[(item_id or b"").decode()] = now
                futures.append(await producer.send(raw_topic, value=line, key=item_id, timestamp_ms=int(now * 1000)))
            await asyncio.gather(*futures)
            drain_until = time.monotonic() + LATENCY_DRAIN_S
            while True:  # polled: the end depends on two clocks, not on one event
                now = time.monotonic()
                if now >= drain_until or now - last_event[0] >= LATENCY_QUIET_S:
                    break
                await asyncio.sleep(0.1)
        finally:
            reader.cancel()
    finally:
        await producer.stop()
        await consumer.stop()
    first = min(sent_at.values(), default=0.0)
    return LatencySample(
        tuple(latencies.values()),
        len(lines),
        rate_per_s,
        tuple(sent_at[item_id] - first for item_id in latencies),
    )


async def _read_events(
    consumer: AIOKafkaConsumer, sent_at: dict[str, float], latencies: dict[str, float], last_event: list[float]
) -> None:
    while True:
        batches = await consumer.getmany(timeout_ms=1000)
        now = time.time()
        if batches:
            last_event[0] = time.monotonic()
        for records in batches.values():
            for record in records:
                item_id = str(orjson.loads(record.value or b"{}").get("item_id", ""))
                if item_id in sent_at and item_id not in latencies:
                    latencies[item_id] = now - sent_at[item_id]
