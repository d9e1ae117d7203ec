"""One batch of raw records in, events and dead letters out: the worker's logic without Kafka.

The agent only reads records, calls ``process_batch`` and sends what it returns, so the
whole decision of what becomes an event and what becomes a dead letter is tested here
without a broker (bytewax's "errors are values on a second stream").
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from stream.codec import RecordOrigin, dead_letter, decode_wire_item, encode
from stream.errors import PoisonRecord
from stream.extract import MeetingExtractor
from stream.records import MeetingEvent, WireItem

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class RawRecord:
    """A record as read from ``wire.raw``."""

    value: bytes | None
    origin: RecordOrigin
    timestamp: datetime | None
    """The Kafka record timestamp: the last-resort anchor for relative dates."""


@dataclass(frozen=True, slots=True)
class Outgoing:
    """A record to publish: key and encoded value."""

    key: bytes
    value: bytes


@dataclass(slots=True)
class BatchResult:
    """What a batch produced; ``outcomes`` has one entry per input record, in order."""

    events: list[tuple[Outgoing, MeetingEvent]] = field(default_factory=list)
    dead_letters: list[tuple[Outgoing, str]] = field(default_factory=list)
    outcomes: list[str] = field(default_factory=list)
    """``events``, ``no_meeting`` or ``dead_letter`` per record."""
    extract_seconds: float = 0.0
    """Wall time spent in the extractor for the whole batch."""


def process_batch(records: Sequence[RawRecord], extractor: MeetingExtractor, *, max_item_bytes: int) -> BatchResult:
    """Decode, extract and sort a batch; never raises for a bad record."""
    result = BatchResult()
    decoded: list[tuple[int, WireItem]] = []
    slots: list[str | None] = [None] * len(records)
    for i, record in enumerate(records):
        try:
            item = decode_wire_item(record.value, max_bytes=max_item_bytes)
            if item.language is not None and item.language not in extractor.supported_languages:
                raise PoisonRecord("unsupported_language", f"no extractor for language {item.language!r}")
        except PoisonRecord as exc:
            _reject(result, record, exc.reason, exc.detail)
            slots[i] = "dead_letter"
            continue
        decoded.append((i, item))

    started = time.perf_counter()
    per_item = _extract_isolating_failures(extractor, records, decoded, result, slots)
    result.extract_seconds = time.perf_counter() - started

    for (i, _item), events in zip(decoded, per_item, strict=True):
        if events is None:
            continue
        for event in events:
            payload = encode(event.to_dict())
            result.events.append((Outgoing(event.event_id.encode("utf-8"), payload), event))
        slots[i] = "events" if events else "no_meeting"
    result.outcomes = [slot or "dead_letter" for slot in slots]
    return result


def _extract_isolating_failures(
    extractor: MeetingExtractor,
    records: Sequence[RawRecord],
    decoded: list[tuple[int, WireItem]],
    result: BatchResult,
    slots: list[str | None],
) -> list[list[MeetingEvent] | None]:
    """Extract the batch at once; if that raises, retry item by item so only the culprit fails."""
    try:
        return list(extractor.extract_many([(item, records[i].timestamp) for i, item in decoded]))
    except Exception:  # noqa: BLE001 - any extractor bug must cost one record, not the batch
        log.warning("batch extraction failed; retrying %d items one by one", len(decoded))
    out: list[list[MeetingEvent] | None] = []
    for i, item in decoded:
        try:
            out.append(extractor.extract(item, received_at=records[i].timestamp))
        except Exception as exc:  # noqa: BLE001 - dead-letter the record with the error, go on
            _reject(result, records[i], "extraction_error", f"{type(exc).__name__}: {exc}")
            slots[i] = "dead_letter"
            out.append(None)
    return out


def _reject(result: BatchResult, record: RawRecord, reason: str, detail: str) -> None:
    o = record.origin
    log.warning("dead letter %s[%s]@%s: %s: %s", o.topic, o.partition, o.offset, reason, detail)
    letter = dead_letter(reason, detail, record.value, o, failed_at=datetime.now(UTC))
    result.dead_letters.append((Outgoing(o.key or b"", encode(letter)), reason))
