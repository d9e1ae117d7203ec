"""Agent: wire items in, meeting events and dead letters out.

A thin shell: read a batch, hand it to ``process_batch`` off the event loop, publish
what it returns, wait for the broker's acknowledgements, commit, count. Offsets are acked
only after that, so a crash replays the batch (at-least-once; ``event_id`` de-duplicates);
committed right then (``MEETWIRE_COMMIT_AFTER_BATCH``), so a crash replays only that batch.
Commits cover only offsets whose output was published, whatever Faust acked (``stream/ledger.py``).
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import time
from collections.abc import AsyncIterable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import NoReturn

from faust.types import EventT

from stream.app import app, metrics, readiness, settings
from stream.codec import RecordOrigin
from stream.crash_guard import CrashGuard, Segment
from stream.errors import is_transient
from stream.extract import load_extractor
from stream.metrics import language_label
from stream.passthrough import PassthroughExtractor
from stream.process import BatchExtractor, BatchResult, RawRecord, process_batch, reject_all
from stream.records import MeetingEvent, WireItem
from stream.topics import deadletter_topic, events_topic, raw_topic

EXIT_UNPUBLISHED = 75
"""Exit status (EX_TEMPFAIL) when a batch could not be processed or published: restart the worker."""

log = logging.getLogger(__name__)


@app.agent(raw_topic, concurrency=1)  # concurrency 1: faust #606 commits past in-flight messages otherwise
async def extract(stream: AsyncIterable[EventT[bytes]]) -> None:
    # Declared up front so downstream consumers can subscribe before the first event.
    await events_topic.maybe_declare()
    await deadletter_topic.maybe_declare()
    # Loading takes seconds (spaCy tokenizer exceptions, gazetteers): off the loop, so
    # heartbeats and the web server keep running meanwhile.
    extractor: BatchExtractor = (
        await asyncio.to_thread(load_extractor, use_ner=settings.extract_ner)
        if settings.extract
        else PassthroughExtractor()
    )
    if settings.test_kill_marker:
        extractor = KillOnMarker(extractor, settings.test_kill_marker)
    guard = CrashGuard(Path(settings.state_dir) / settings.app_id, limit=settings.crash_loop_limit)
    metrics.set_build_info(extractor.version_info)
    readiness.agent_started = True  # ready once partitions are assigned and fetched too (stream/health.py)
    async for taken in stream.take_events(settings.batch_size, within=settings.batch_within_s):  # type: ignore[attr-defined]
        # Records past one being read again were fetched before that seek: they come again after it.
        batch = [event for event in taken if not app.superseded(event)]
        records = [_raw_record(event) for event in batch]
        for segment in guard.segments([record.origin for record in records]):
            part = [records[i] for i in segment.indices]
            origins = [record.origin for record in part]
            guard.begin(origins, segment.crashes)
            try:
                result = await _process(part, extractor, segment, guard.limit)
                await _publish(result)
            except asyncio.CancelledError:  # a clean stop: the records are not at fault
                guard.clear(origins)
                raise
            except Exception as exc:  # noqa: BLE001 - logged; ending here is the only way not to ack the batch
                if is_transient(exc):  # broker trouble: a retry, never a crash_loop dead letter
                    guard.clear(origins)
                _halt_unacknowledged(exc, part)
            guard.clear(origins)
            consumed = [batch[i] for i in segment.indices]
            # Counted once the broker has the output, before the commit: /metrics never lags the topics.
            _count(result, part, consumed)
            await _settle(consumed)


async def _process(records: list[RawRecord], extractor: BatchExtractor, segment: Segment, limit: int) -> BatchResult:
    if segment.doomed:
        detail = f"the worker died {segment.crashes} times with this record in progress (limit {limit})"
        return reject_all(records, "crash_loop", detail, max_record_bytes=settings.max_request_bytes)
    # CPU-bound: a worker thread keeps the loop free for heartbeats and fetches.
    return await asyncio.to_thread(
        process_batch,
        records,
        extractor,
        max_item_bytes=settings.max_item_bytes,
        max_text_chars=settings.max_text_chars,
        max_record_bytes=settings.max_request_bytes,
    )


class KillOnMarker:
    """Tests only (``MEETWIRE_TEST_KILL_MARKER``): SIGKILLs the worker on an item holding the marker,
    as a crash in a native library or the OOM killer would, to exercise the crash-loop guard."""

    def __init__(self, inner: BatchExtractor, marker: str) -> None:
        self._inner = inner
        self._marker = marker

    @property
    def supported_languages(self) -> frozenset[str]:
        return self._inner.supported_languages

    @property
    def version_info(self) -> dict[str, str]:
        return self._inner.version_info

    def extract(self, item: WireItem, *, received_at: datetime | None = None) -> list[MeetingEvent]:
        self._check([item])
        return self._inner.extract(item, received_at=received_at)

    def extract_many(self, items: Sequence[tuple[WireItem, datetime | None]]) -> list[list[MeetingEvent]]:
        self._check([item for item, _ in items])
        return self._inner.extract_many(items)

    def _check(self, items: Sequence[WireItem]) -> None:
        if any(self._marker in item.text for item in items):
            log.warning("test kill marker found: SIGKILL")
            logging.shutdown()
            os.kill(os.getpid(), signal.SIGKILL)


def _raw_record(event: EventT[bytes]) -> RawRecord:
    message = event.message
    return RawRecord(
        value=message.value,
        origin=RecordOrigin(message.topic, message.partition, message.offset, message.key),
        timestamp=datetime.fromtimestamp(message.timestamp, UTC) if message.timestamp else None,
    )


def _halt_unacknowledged(exc: BaseException, records: list[RawRecord]) -> NoReturn:
    """End the process now, so the batch is neither acked nor committed and a restart redoes it.

    ``process_batch`` never raises for a bad record, so this is a bug or a broker that refuses
    our sends for good (authorisation, record too large). Letting the exception out of the
    agent is not an option: ``take_events`` acks the batch in a ``finally`` and Faust commits
    it, which would lose the items. A clean Faust shutdown would commit them as well.
    """
    first, last = records[0].origin, records[-1].origin
    log.critical(
        "could not process or publish %d record(s) %s[%s]@%s..%s; exiting with %d so they are redone: %s: %s",
        len(records),
        first.topic,
        first.partition,
        first.offset,
        last.offset,
        EXIT_UNPUBLISHED,
        type(exc).__name__,
        exc,
        exc_info=exc,
    )
    logging.shutdown()
    os._exit(EXIT_UNPUBLISHED)


async def _publish(result: BatchResult) -> None:
    pending = [await events_topic.send(key=out.key, value=out.value) for out, _ in result.events]
    pending += [await deadletter_topic.send(key=out.key, value=out.value) for out, _ in result.dead_letters]
    # Wait for every acknowledgement before the batch's offsets can be committed.
    await asyncio.gather(*pending)


async def _settle(events: list[EventT[bytes]]) -> None:
    """``events``' output was acknowledged: note them as done (what commits may cover), commit
    now if so configured, and read again any record the stream skipped (``stream/ledger.py``)."""
    for event in events:
        # take_events acks the batch again when the loop asks for the next one: a no-op by then.
        event.ack()
    # Committed now, a SIGKILL redoes at most the batch in flight, not everything since the timer's commit.
    await app.processed(events, commit=settings.commit_after_batch)


def _count(result: BatchResult, records: list[RawRecord], batch: list[EventT[bytes]]) -> None:
    """Update the metrics for a batch whose events and dead letters the broker acknowledged."""
    for outcome in result.outcomes:
        metrics.items.labels(outcome).inc()
    for _, event in result.events:
        category = event.topic.category if event.topic else "none"
        metrics.events.labels(event.status, language_label(event.language), category).inc()
    if result.events:
        metrics.last_event.set_to_current_time()
    for _, reason in result.dead_letters:
        metrics.dead_letters.labels(reason).inc()
    if records:
        metrics.batch_size.observe(len(records))
    if result.extracted:
        metrics.extract_batch_duration.observe(result.extract_seconds)
        # The extractor runs the batch through nlp.pipe at once, so per-item time is the batch mean.
        per_item = result.extract_seconds / result.extracted
        for _ in range(result.extracted):
            metrics.extract_duration.observe(per_item)
    now = time.time()
    for record in records:
        if record.timestamp is not None:
            metrics.end_to_end_latency.observe(max(0.0, now - record.timestamp.timestamp()))
    for consumed in batch:
        # Every partition in the batch, not just the last one: the lag timer reads these.
        message = consumed.message
        metrics.progress.processed(message.topic, message.partition, message.offset)
