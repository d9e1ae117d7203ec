"""Replay dead letters: send their original bytes back to the raw topic after a fix.

A dead letter keeps the record's original key and bytes (``payload_b64``), so once the cause
is fixed (a bigger ``MEETWIRE_MAX_ITEM_BYTES``, a new language, an extractor bug) the records
can go through the worker again::

    meetwire replay-deadletters --reason too_large --reason extraction_error

Progress is kept in a consumer group (``<app id>.replay`` by default), so each dead letter is
replayed once even if the command is run again; a run stops at the end of the topic as it
was when the run started, so records that fail again are not replayed in a loop. Replayed
records that fail again become new dead letters, for the next run.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import logging
from collections import Counter
from collections.abc import Collection
from dataclasses import dataclass, field
from typing import IO

import orjson
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.structs import OffsetAndMetadata

from stream.client import PRODUCE_MAX_REQUEST_BYTES, client_config
from stream.progress import ProgressCounter, counting
from stream.settings import Settings

FETCH_TIMEOUT_MS = 1000

log = logging.getLogger(__name__)


@dataclass(slots=True)
class ReplayReport:
    """What a replay run did."""

    replayed: Counter[str] = field(default_factory=Counter)
    """Records sent back to the raw topic, by dead-letter reason."""
    skipped: Counter[str] = field(default_factory=Counter)
    """Dead letters left alone because their reason was not asked for."""
    unreadable: int = 0
    """Values on the dead-letter topic that are not meetwire dead letters."""
    truncated: Counter[str] = field(default_factory=Counter)
    """Dead letters that carry only a prefix of the original (``payload_truncated``), by reason:
    never replayed, since the prefix is not the record that was sent."""


def default_group(settings: Settings) -> str:
    return f"{settings.app_id}.replay"


async def replay_dead_letters(
    settings: Settings,
    *,
    reasons: Collection[str] | None = None,
    group_id: str | None = None,
    dry_run: bool = False,
    to_topic: str | None = None,
    progress: IO[str] | None = None,
) -> ReplayReport:
    """Re-send the original bytes of every dead letter not replayed before (``reasons``: only those).

    ``dry_run`` counts what would be replayed and moves no offsets. ``progress``: where to draw a
    bar of the dead letters read (a terminal only).
    """
    report = ReplayReport()
    target = to_topic or settings.topic_raw
    consumer = AIOKafkaConsumer(
        **client_config(settings),
        group_id=group_id or default_group(settings),
        enable_auto_commit=False,
        auto_offset_reset="earliest",
    )
    producer = AIOKafkaProducer(
        **client_config(settings), acks="all", enable_idempotence=True, max_request_size=PRODUCE_MAX_REQUEST_BYTES
    )
    await consumer.start()
    await producer.start()
    try:
        partitions = sorted(await producer.partitions_for(settings.topic_deadletter))  # waits for metadata
        tps = [TopicPartition(settings.topic_deadletter, p) for p in partitions]
        if not tps:
            return report
        consumer.assign(tps)
        end = await consumer.end_offsets(tps)
        todo = sum([max(0, end[tp] - await consumer.position(tp)) for tp in tps])
        with counting(stream=progress, total=todo, unit="letter") as bar:
            for tp in tps:
                await _replay_partition(consumer, producer, tp, end[tp], target, reasons, dry_run, report, bar)
    finally:
        await producer.stop()
        await consumer.stop()
    log.info(
        "replayed %d dead letter(s) to %s %s; skipped %s; truncated, not replayable %s; unreadable %d%s",
        sum(report.replayed.values()),
        target,
        dict(report.replayed),
        dict(report.skipped),
        dict(report.truncated),
        report.unreadable,
        " (dry run: nothing sent)" if dry_run else "",
    )
    return report


async def _replay_partition(
    consumer: AIOKafkaConsumer,
    producer: AIOKafkaProducer,
    tp: TopicPartition,
    end: int,
    target: str,
    reasons: Collection[str] | None,
    dry_run: bool,
    report: ReplayReport,
    bar: ProgressCounter,
) -> None:
    """Replay one partition's dead letters up to ``end``, committing after each acknowledged batch."""
    while (position := await consumer.position(tp)) < end:
        batch = await consumer.getmany(tp, timeout_ms=FETCH_TIMEOUT_MS, max_records=500)
        sends = []
        last = position - 1
        for message in batch.get(tp, []):
            if message.offset >= end:
                break
            last = message.offset
            letter = read_dead_letter(message.value)
            if letter is None:
                report.unreadable += 1
                continue
            reason, key, payload = letter
            if reasons is not None and reason not in reasons:
                report.skipped[reason] += 1
                continue
            if payload_truncated(message.value):
                report.truncated[reason] += 1
                continue
            report.replayed[reason] += 1
            if not dry_run:
                sends.append(await producer.send(target, value=payload, key=key))
        await asyncio.gather(*sends)  # acknowledged before the progress is committed
        if dry_run and last >= position:
            consumer.seek(tp, last + 1)
        elif last >= position:
            await consumer.commit({tp: OffsetAndMetadata(last + 1, "")})
        bar.update(max(0, last + 1 - position))


def payload_truncated(value: bytes | None) -> bool:
    """The dead letter carries only a prefix of the original record (it was too large to keep whole)."""
    try:
        letter = orjson.loads(value or b"")
    except orjson.JSONDecodeError:
        return False
    return isinstance(letter, dict) and letter.get("payload_truncated") is True


def read_dead_letter(value: bytes | None) -> tuple[str, bytes | None, bytes] | None:
    """``(reason, key, original bytes)`` of a dead letter, or None if it is not one."""
    try:
        letter = orjson.loads(value or b"")
        reason, payload_b64, key = letter["reason"], letter["payload_b64"], letter.get("key")
        if not isinstance(reason, str) or not isinstance(payload_b64, str):
            return None
        payload = base64.b64decode(payload_b64, validate=True)
    except (orjson.JSONDecodeError, TypeError, KeyError, binascii.Error):
        return None
    return reason, key.encode("utf-8") if isinstance(key, str) and key else None, payload
