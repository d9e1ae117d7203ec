"""One batch of raw records in, events and dead letters out: the worker's logic without Kafka.

The agent only reads records, calls ``process_batch`` and sends what it returns, so the
whole decision of what becomes an event and what becomes a dead letter is tested here
without a broker (bytewax's "errors are values on a second stream").
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Protocol

from stream.codec import RecordOrigin, dead_letter, decode_wire_item, encode
from stream.errors import PoisonRecord
from stream.records import MeetingEvent, WireItem

log = logging.getLogger(__name__)

PUNCTUATION_RUN_CHARS = 16
"""Longest run of punctuation and symbols (no letter, digit or space) handed to the tokenizer whole.

spaCy's tokenizer peels prefixes and suffixes off a whitespace-free chunk one at a time, at a cost
that grows with the square of the chunk: 2,000 commas took 13.6 s, 4,000 characters of ``(-``
82 s. A space after every 16 such characters bounds each chunk (``tame_punctuation_runs``)."""
_PUNCTUATION_RUN = re.compile(rf"[^\w\s]{{{PUNCTUATION_RUN_CHARS + 1},}}")


class BatchExtractor(Protocol):
    """What the worker needs of an extractor: ``stream.extract.MeetingExtractor``, or the
    passthrough one that finds nothing (``MEETWIRE_EXTRACT=false``)."""

    @property
    def supported_languages(self) -> frozenset[str]: ...

    @property
    def version_info(self) -> dict[str, str]: ...

    def extract(self, item: WireItem, *, received_at: datetime | None = None) -> list[MeetingEvent]: ...

    def extract_many(self, items: Sequence[tuple[WireItem, datetime | None]]) -> list[list[MeetingEvent]]: ...


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
    extracted: int = 0
    """Records that reached the extractor (decoded and in a supported language)."""
    max_record_bytes: int | None = None
    """Largest dead letter to produce; larger ones carry a prefix of the payload."""


def process_batch(
    records: Sequence[RawRecord],
    extractor: BatchExtractor,
    *,
    max_item_bytes: int,
    max_text_chars: int | None = None,
    max_record_bytes: int | None = None,
) -> BatchResult:
    """Decode, extract and sort a batch; never raises for a bad record.

    A ``text`` over ``max_text_chars`` is dead-lettered as ``text_too_long`` rather than extracted,
    and long punctuation runs are broken up first, to bound the work per item.
    ``max_record_bytes`` bounds each dead letter, so that it can be published. None: no bound.
    """
    result = BatchResult(max_record_bytes=max_record_bytes)
    decoded: list[tuple[int, WireItem]] = []
    slots: list[str | None] = [None] * len(records)
    for i, record in enumerate(records):
        try:
            item = decode_wire_item(record.value, max_bytes=max_item_bytes)
            if item.language is not None and item.language not in extractor.supported_languages:
                raise PoisonRecord("unsupported_language", f"no extractor for language {item.language!r}")
            if max_text_chars is not None and len(item.text) > max_text_chars:
                raise PoisonRecord(
                    "text_too_long", f"`text` has {len(item.text)} characters; the limit is {max_text_chars}"
                )
        except PoisonRecord as exc:
            _reject(result, record, exc.reason, exc.detail)
            slots[i] = "dead_letter"
            continue
        decoded.append((i, replace(item, text=tame_punctuation_runs(item.text))))

    started = time.perf_counter()
    per_item = _extract_isolating_failures(extractor, records, decoded, result, slots)
    result.extract_seconds = time.perf_counter() - started
    result.extracted = len(decoded)

    for (i, item), events in zip(decoded, per_item, strict=True):
        if events is None:
            continue
        problem = next((p for p in (event_problem(e, item.text) for e in events) if p), None)
        if problem is not None:
            _reject(result, records[i], "invalid_event", f"the extractor produced an invalid event: {problem}")
            slots[i] = "dead_letter"
            continue
        for event in events:
            payload = encode(event.to_dict())
            result.events.append((Outgoing(event.event_id.encode("utf-8"), payload), event))
        slots[i] = "events" if events else "no_meeting"
    result.outcomes = [slot or "dead_letter" for slot in slots]
    return result


def reject_all(
    records: Sequence[RawRecord], reason: str, detail: str, *, max_record_bytes: int | None = None
) -> BatchResult:
    """Dead-letter every record unread (the crash-loop guard's verdict)."""
    result = BatchResult(max_record_bytes=max_record_bytes)
    for record in records:
        _reject(result, record, reason, detail)
    result.outcomes = ["dead_letter"] * len(records)
    return result


def tame_punctuation_runs(text: str) -> str:
    """``text`` with every 17th character of a long punctuation run made a space.

    Same length, so every span into the result is a span into ``text``; a text without such a
    run (every article we have) comes back unchanged.
    """
    if _PUNCTUATION_RUN.search(text) is None:
        return text

    def breakup(match: re.Match[str]) -> str:
        run = match.group()
        step = PUNCTUATION_RUN_CHARS + 1
        return "".join(run[i : i + PUNCTUATION_RUN_CHARS] + " " for i in range(0, len(run), step))[: len(run)]

    return _PUNCTUATION_RUN.sub(breakup, text)


def _extract_isolating_failures(
    extractor: BatchExtractor,
    records: Sequence[RawRecord],
    decoded: list[tuple[int, WireItem]],
    result: BatchResult,
    slots: list[str | None],
) -> list[list[MeetingEvent] | None]:
    """Extract the batch at once; if that raises, retry item by item so only the culprit fails."""
    try:
        pairs = [(item, records[i].timestamp) for i, item in decoded]
        batch: list[list[MeetingEvent] | None] = list(extractor.extract_many(pairs))
        if len(batch) == len(decoded):
            return batch
        log.warning("extract_many returned %d results for %d items; retrying one by one", len(batch), len(decoded))
    except Exception:  # any extractor bug must cost one record, not the batch (logged, so BLE001 is quiet)
        log.warning("batch extraction failed; retrying %d items one by one", len(decoded), exc_info=True)
    out: list[list[MeetingEvent] | None] = []
    for i, item in decoded:
        try:
            out.append(extractor.extract(item, received_at=records[i].timestamp))
        except Exception as exc:  # noqa: BLE001 - dead-letter the record with the error, go on
            _reject(result, records[i], "extraction_error", f"{type(exc).__name__}: {exc}")
            slots[i] = "dead_letter"
            out.append(None)
    return out


def event_problem(event: MeetingEvent, text: str) -> str | None:
    """Why ``event`` must not be published for an item with this ``text``, or None if it is sound.

    Every span must lie inside the text and cover exactly its mention: consumers slice the
    article with them, so a wrong span is a wrong event, not a cosmetic issue.
    """
    spans: list[tuple[str, tuple[int, int], str]] = [("evidence", event.evidence.span, event.evidence.text)]
    spans += [(f"participant {p.name!r}", p.span, p.mention) for p in event.participants]
    if event.location is not None:
        spans.append(("location", event.location.span, event.location.mention))
    if event.date is not None:
        spans.append(("date", event.date.span, event.date.mention))
    for what, (start, end), mention in spans:
        if not 0 <= start <= end <= len(text):
            return f"{what} span [{start}, {end}) is outside the text of {len(text)} characters"
        if text[start:end] != mention:
            return f"{what} span [{start}, {end}) covers {text[start:end][:60]!r}, not {mention[:60]!r}"
    if not event.event_id:
        return "empty event_id"
    return None


def _reject(result: BatchResult, record: RawRecord, reason: str, detail: str) -> None:
    o = record.origin
    log.warning("dead letter %s[%s]@%s: %s: %s", o.topic, o.partition, o.offset, reason, detail)
    letter = dead_letter(
        reason, detail, record.value, o, failed_at=datetime.now(UTC), max_bytes=result.max_record_bytes
    )
    result.dead_letters.append((Outgoing(o.key or b"", encode(letter)), reason))
