"""Offline extraction: wire items JSONL in, meeting events JSONL out, no broker.

Each line goes through the worker's own decoder (``decode_wire_item``), so ``meetwire extract``
and ``meetwire eval`` accept and reject exactly what the worker does; extra fields (a gold
file's ``events``, ``meta``) are ignored as on the wire. Items are extracted in batches, as
the worker does, for ``nlp.pipe``.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import IO

import orjson

from stream.codec import decode_wire_item
from stream.errors import PoisonRecord
from stream.extract import MeetingExtractor
from stream.records import WireItem

BATCH_SIZE = 32

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class OfflineCounts:
    """What one offline run did."""

    events: int
    """Events written."""
    skipped: int
    """Non-blank lines that were not valid wire items (each logged with its line number)."""


def wire_items(lines: Iterable[bytes], *, max_item_bytes: int) -> Iterator[tuple[int, WireItem | PoisonRecord]]:
    """``(line number, item or the reason it is not one)`` for every non-blank line."""
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            yield number, decode_wire_item(line.rstrip(b"\r\n"), max_bytes=max_item_bytes)
        except PoisonRecord as exc:
            yield number, exc


def extract_jsonl(
    lines: Iterable[bytes], out: IO[bytes], extractor: MeetingExtractor, *, max_item_bytes: int
) -> OfflineCounts:
    """Write the events of every valid line to ``out``; invalid lines are logged and counted."""
    events = skipped = 0
    batch: list[WireItem] = []

    def flush() -> int:
        written = 0
        for found in extractor.extract_many([(item, None) for item in batch]):
            for event in found:
                out.write(orjson.dumps(event.to_dict()) + b"\n")
                written += 1
        batch.clear()
        return written

    for number, decoded in wire_items(lines, max_item_bytes=max_item_bytes):
        if isinstance(decoded, PoisonRecord):
            skipped += 1
            log.error("line %d skipped: %s", number, decoded)
            continue
        batch.append(decoded)
        if len(batch) >= BATCH_SIZE:
            events += flush()
    events += flush()
    return OfflineCounts(events=events, skipped=skipped)
