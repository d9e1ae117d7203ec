"""Bytes to wire items, and records that could not be processed to dead letters.

Decoding is strict because the worker must say *why* it rejects a record: each failure
is a ``PoisonRecord`` whose reason becomes the dead letter's ``reason``.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import orjson

from stream import __version__
from stream.errors import PoisonRecord
from stream.records import WireItem

MAX_ID_CHARS = 256

# RFC 3339 date-time, a full date, or a partial date (YYYY-MM, YYYY): DESIGN.md's wire item.
_PUBLISHED_AT = re.compile(r"\d{4}(-\d{2}(-\d{2}([Tt ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?([Zz]|[+-]\d{2}:?\d{2})?)?)?)?")
_LANGUAGE = re.compile(r"[a-z]{2}")
_OPTIONAL_STRINGS = ("source", "url", "title")


def decode_wire_item(raw: bytes | None, *, max_bytes: int) -> WireItem:
    """Parse and validate one ``wire.raw`` value, or raise ``PoisonRecord`` saying why."""
    if raw is None:
        raise PoisonRecord("empty_value", "the record has no value (a tombstone?)")
    if len(raw) > max_bytes:
        raise PoisonRecord("too_large", f"{len(raw)} bytes exceeds the limit of {max_bytes}")
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise PoisonRecord("not_utf8", f"invalid UTF-8 at byte {exc.start}") from exc
    try:
        value = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise PoisonRecord("invalid_json", str(exc)) from exc
    if not isinstance(value, dict):
        raise PoisonRecord("not_object", f"expected a JSON object, got {type(value).__name__}")
    return wire_item_from_dict(value)


def wire_item_from_dict(value: Mapping[str, Any]) -> WireItem:
    """Validate a decoded JSON object as a wire item; unknown extra fields are ignored."""
    for name in ("id", "text"):
        if name not in value or value[name] is None:
            raise PoisonRecord("missing_field", f"`{name}` is required")
    item_id, text = value["id"], value["text"]
    if not isinstance(item_id, str):
        raise PoisonRecord("wrong_type", f"`id` must be a string, got {type(item_id).__name__}")
    if not 1 <= len(item_id) <= MAX_ID_CHARS:
        raise PoisonRecord("invalid_id", f"`id` must have 1-{MAX_ID_CHARS} characters, got {len(item_id)}")
    if not isinstance(text, str):
        raise PoisonRecord("wrong_type", f"`text` must be a string, got {type(text).__name__}")
    if not text.strip():
        raise PoisonRecord("empty_text", "`text` is empty")
    for name in (*_OPTIONAL_STRINGS, "language", "published_at"):
        if value.get(name) is not None and not isinstance(value[name], str):
            raise PoisonRecord("wrong_type", f"`{name}` must be a string or null, got {type(value[name]).__name__}")
    language = value.get("language")
    if language is not None and not _LANGUAGE.fullmatch(language):
        raise PoisonRecord("invalid_language", f"`language` must be an ISO 639-1 code, got {language[:20]!r}")
    published_at = value.get("published_at")
    if published_at is not None and not _PUBLISHED_AT.fullmatch(published_at):
        raise PoisonRecord("invalid_published_at", f"not an RFC 3339 or partial date: {published_at[:40]!r}")
    return WireItem(
        id=item_id,
        text=text,
        source=value.get("source"),
        url=value.get("url"),
        language=language,
        title=value.get("title"),
        published_at=published_at,
    )


@dataclass(frozen=True, slots=True)
class RecordOrigin:
    """Where a record was read from, for dead letters and logs."""

    topic: str | None
    partition: int | None
    offset: int | None
    key: bytes | None


def dead_letter(
    reason: str, detail: str, payload: bytes | None, origin: RecordOrigin, *, failed_at: datetime | None = None
) -> dict[str, Any]:
    """The dead-letter record: why it failed, where it came from, and its original bytes."""
    when = failed_at or datetime.now(UTC)
    return {
        "reason": reason,
        "detail": detail,
        "topic": origin.topic,
        "partition": origin.partition,
        "offset": origin.offset,
        "key": origin.key.decode("utf-8", "replace") if origin.key is not None else None,
        "payload_b64": base64.b64encode(payload or b"").decode("ascii"),
        "failed_at": when.isoformat(),
        "extractor": {"name": "meetwire", "version": __version__},
    }


def encode(value: Mapping[str, Any]) -> bytes:
    """Serialise a record for Kafka: compact JSON, UTF-8."""
    return orjson.dumps(value)
