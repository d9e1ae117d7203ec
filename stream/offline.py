"""Offline extraction: wire items JSONL in, meeting events JSONL out, no broker.

Each line goes through the worker's own decoder (``decode_wire_item``), so ``meetwire extract``
and ``meetwire eval`` accept and reject exactly what the worker does; extra fields (a gold
file's ``events``, ``meta``) are ignored as on the wire. Items are extracted in batches, as
the worker does, for ``nlp.pipe``.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from typing import IO

import orjson

from stream.codec import decode_wire_item
from stream.errors import PoisonRecord
from stream.extract import MeetingExtractor
from stream.process import tame_punctuation_runs
from stream.progress import track
from stream.records import WireItem
from stream.settings import Settings

BATCH_SIZE = 32

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class OfflineCounts:
    """What one offline run did."""

    events: int
    """Events written."""
    skipped: int
    """Non-blank lines that were not valid wire items (each logged with its line number)."""


def wire_items(
    lines: Iterable[bytes], *, max_item_bytes: int, max_text_chars: int | None = None
) -> Iterator[tuple[int, WireItem | PoisonRecord]]:
    """``(line number, item or the reason it is not one)`` for every non-blank line, bounded as the
    worker bounds them: a text over ``max_text_chars`` is refused, long punctuation runs broken up."""
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            item = decode_wire_item(line.rstrip(b"\r\n"), max_bytes=max_item_bytes)
        except PoisonRecord as exc:
            yield number, exc
            continue
        if max_text_chars is not None and len(item.text) > max_text_chars:
            yield (
                number,
                PoisonRecord("text_too_long", f"`text` has {len(item.text)} characters; the limit is {max_text_chars}"),
            )
            continue
        yield number, replace(item, text=tame_punctuation_runs(item.text))


def extract_jsonl(
    lines: Iterable[bytes],
    out: IO[bytes],
    extractor: MeetingExtractor,
    *,
    max_item_bytes: int,
    max_text_chars: int | None = None,
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

    for number, decoded in wire_items(lines, max_item_bytes=max_item_bytes, max_text_chars=max_text_chars):
        if isinstance(decoded, PoisonRecord):
            skipped += 1
            log.error("line %d skipped: %s", number, decoded)
            continue
        batch.append(decoded)
        if len(batch) >= BATCH_SIZE:
            events += flush()
    events += flush()
    return OfflineCounts(events=events, skipped=skipped)


def extract_file(
    src: IO[bytes], dst: IO[bytes], extractor: MeetingExtractor, settings: Settings, *, total: int | None
) -> OfflineCounts:
    """:func:`extract_jsonl` with the worker's bounds from ``settings`` and progress on stderr
    when it is a terminal (``total``: the input's line count, when known): ``extract`` and ``eval``."""
    return extract_jsonl(
        track(src, stream=sys.stderr, total=total, unit="line"),
        dst,
        extractor,
        max_item_bytes=settings.max_item_bytes,
        max_text_chars=settings.max_text_chars,
    )
