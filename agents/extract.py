"""Agent: wire items in, meeting events and dead letters out.

A thin shell: read a batch, hand it to ``process_batch`` off the event loop, publish
what it returns, wait for the broker's acknowledgements, count. Offsets are acked only
after that, so a crash replays the batch (at-least-once; ``event_id`` de-duplicates).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterable
from datetime import UTC, datetime

from faust.types import EventT

from stream.app import app, metrics, settings
from stream.codec import RecordOrigin
from stream.extract import load_extractor
from stream.metrics import language_label
from stream.process import BatchResult, RawRecord, process_batch
from stream.topics import deadletter_topic, events_topic, raw_topic


@app.agent(raw_topic, concurrency=1)  # concurrency 1: faust #606 commits past in-flight messages otherwise
async def extract(stream: AsyncIterable[EventT[bytes]]) -> None:
    # Declared up front so downstream consumers can subscribe before the first event.
    await events_topic.maybe_declare()
    await deadletter_topic.maybe_declare()
    extractor = load_extractor()
    metrics.set_build_info(extractor.version_info)
    async for batch in stream.take_events(settings.batch_size, within=settings.batch_within_s):  # type: ignore[attr-defined]
        records = [_raw_record(event) for event in batch]
        # CPU-bound: a worker thread keeps the loop free for heartbeats and fetches.
        result = await asyncio.to_thread(process_batch, records, extractor, max_item_bytes=settings.max_item_bytes)
        await _publish(result)
        _count(result, records, batch)


def _raw_record(event: EventT[bytes]) -> RawRecord:
    message = event.message
    return RawRecord(
        value=message.value,
        origin=RecordOrigin(message.topic, message.partition, message.offset, message.key),
        timestamp=datetime.fromtimestamp(message.timestamp, UTC) if message.timestamp else None,
    )


async def _publish(result: BatchResult) -> None:
    pending = [await events_topic.send(key=out.key, value=out.value) for out, _ in result.events]
    pending += [await deadletter_topic.send(key=out.key, value=out.value) for out, _ in result.dead_letters]
    # Wait for every acknowledgement before the batch's offsets can be committed.
    await asyncio.gather(*pending)


def _count(result: BatchResult, records: list[RawRecord], batch: list[EventT[bytes]]) -> None:
    for outcome in result.outcomes:
        metrics.items.labels(outcome).inc()
    for _, event in result.events:
        category = event.topic.category if event.topic else "none"
        metrics.events.labels(event.status, language_label(event.language), category).inc()
    for _, reason in result.dead_letters:
        metrics.dead_letters.labels(reason).inc()
    if records:
        metrics.batch_size.observe(len(records))
        per_item = result.extract_seconds / len(records)
        for _ in records:
            metrics.extract_duration.observe(per_item)
    now = time.time()
    for record in records:
        if record.timestamp is not None:
            metrics.end_to_end_latency.observe(max(0.0, now - record.timestamp.timestamp()))
    last = batch[-1].message
    highwater = app.consumer.highwater(last.tp)
    if highwater is not None:
        metrics.consumer_lag.labels(last.topic, str(last.partition)).set(max(0, highwater - last.offset - 1))
