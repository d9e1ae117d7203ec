"""Bytes to wire items, and records that could not be processed to dead letters.

Decoding is strict because the worker must say *why* it rejects a record: each failure
is a ``PoisonRecord`` whose reason becomes the dead letter's ``reason``.
"""

from __future__ import annotations

import base64
import hashlib
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
MAX_FIELD_CHARS = 4096
"""Longest ``source``, ``url``, ``title``, ``language`` or ``published_at`` accepted."""

# RFC 3339 date-time, a full date, or a partial date (YYYY-MM, YYYY): DESIGN.md's wire item.
_PUBLISHED_AT = re.compile(r"\d{4}(-\d{2}(-\d{2}([Tt ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?([Zz]|[+-]\d{2}:?\d{2})?)?)?)?")
_LANGUAGE = re.compile(r"[a-z]{2}")
_OPTIONAL_STRINGS = ("source", "url", "title")
# C0 controls other than tab, line feed, vertical tab, form feed and carriage return, DEL, and
# the C1 block: never in plain-text articles, typical of binary or mis-decoded payloads.
_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x9f]")
# Markup, not plain text: a document skeleton, a script or style block, or several tags.
_HTML_DOCUMENT = re.compile(r"<(?:!doctype|html|head|body|script|style|iframe)\b", re.IGNORECASE)
_HTML_TAG = re.compile(r"</?(?:p|div|span|br|a|img|table|tr|td|ul|ol|li|h[1-6]|b|i|em|strong|meta|link)\b[^<>]*>", re.I)
HTML_TAGS_TOLERATED = 2
"""A stray ``<b>`` or two is tolerated; more tags mean the producer sent HTML."""
_JSON_DEPTH_ERROR = "depth limit exceeded"
DEAD_LETTER_OVERHEAD_BYTES = 2048
"""Room kept under the size limit for the record key and Kafka's record and batch headers."""


def decode_wire_item(raw: bytes | None, *, max_bytes: int) -> WireItem:
    """Parse and validate one ``wire.raw`` value, or raise ``PoisonRecord`` saying why."""
    if raw is None:
        raise PoisonRecord("empty_value", "the record has no value (a tombstone?)")
    if not raw.strip():
        raise PoisonRecord("empty_value", f"the record's value is {len(raw)} byte(s) of nothing")
    if len(raw) > max_bytes:
        raise PoisonRecord("too_large", f"{len(raw)} bytes exceeds the limit of {max_bytes}")
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise PoisonRecord("not_utf8", f"invalid UTF-8 at byte {exc.start}") from exc
    try:
        value = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        if str(exc).startswith(_JSON_DEPTH_ERROR):
            raise PoisonRecord("too_deep", f"JSON nested too deeply: {exc}") from exc
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
    if not item_id.isprintable() or item_id != item_id.strip():
        raise PoisonRecord("invalid_id", f"`id` must be printable without surrounding blanks: {item_id[:40]!r}")
    if not isinstance(text, str):
        raise PoisonRecord("wrong_type", f"`text` must be a string, got {type(text).__name__}")
    if not text.strip():
        raise PoisonRecord("empty_text", "`text` is empty")
    control = _CONTROL_CHARS.search(text)
    if control:
        raise PoisonRecord(
            "control_characters", f"`text` has control character U+{ord(control.group()):04X} at {control.start()}"
        )
    if _HTML_DOCUMENT.search(text) or len(_HTML_TAG.findall(text)) > HTML_TAGS_TOLERATED:
        raise PoisonRecord("html_markup", "`text` is HTML, not plain text; strip the markup before sending")
    for name in (*_OPTIONAL_STRINGS, "language", "published_at"):
        field_value = value.get(name)
        if field_value is None:
            continue
        if not isinstance(field_value, str):
            raise PoisonRecord("wrong_type", f"`{name}` must be a string or null, got {type(field_value).__name__}")
        if len(field_value) > MAX_FIELD_CHARS:
            raise PoisonRecord("field_too_long", f"`{name}` has {len(field_value)} characters (max {MAX_FIELD_CHARS})")
    language = value.get("language")
    if language is not None and not _LANGUAGE.fullmatch(language):
        raise PoisonRecord("invalid_language", f"`language` must be an ISO 639-1 code, got {language[:20]!r}")
    published_at = value.get("published_at")
    if published_at is not None and not _valid_published_at(published_at):
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


def _valid_published_at(value: str) -> bool:
    """The right shape, and a real calendar date and time (no 2023-02-30, no 25:00)."""
    if not _PUBLISHED_AT.fullmatch(value):
        return False
    completed = value + {4: "-01-01", 7: "-01"}.get(len(value), "")  # YYYY and YYYY-MM name whole periods
    try:
        datetime.fromisoformat(completed.upper())
    except ValueError:
        return False
    return True


@dataclass(frozen=True, slots=True)
class RecordOrigin:
    """Where a record was read from, for dead letters and logs."""

    topic: str | None
    partition: int | None
    offset: int | None
    key: bytes | None


def dead_letter(
    reason: str,
    detail: str,
    payload: bytes | None,
    origin: RecordOrigin,
    *,
    failed_at: datetime | None = None,
    max_bytes: int | None = None,
) -> dict[str, Any]:
    """The dead-letter record: why it failed, where it came from, and its original bytes.

    A dead letter must always be publishable, or the record it stands for stops the worker.
    When the whole payload would make it longer than ``max_bytes`` once encoded (base64 adds a
    third), it carries the longest prefix that fits, with ``payload_truncated``,
    ``payload_bytes`` and ``payload_sha256`` of the whole original.
    """
    when = failed_at or datetime.now(UTC)
    raw = payload or b""
    letter: dict[str, Any] = {
        "reason": reason,
        "detail": detail,
        "topic": origin.topic,
        "partition": origin.partition,
        "offset": origin.offset,
        "key": origin.key.decode("utf-8", "replace") if origin.key is not None else None,
        "payload_b64": base64.b64encode(raw).decode("ascii"),
        "failed_at": when.isoformat(),
        "extractor": {"name": "meetwire", "version": __version__},
    }
    if max_bytes is None or len(encode(letter)) + DEAD_LETTER_OVERHEAD_BYTES <= max_bytes:
        return letter
    letter |= {
        "detail": detail[:MAX_FIELD_CHARS],
        "payload_b64": "",
        "payload_truncated": True,
        "payload_bytes": len(raw),
        "payload_sha256": hashlib.sha256(raw).hexdigest(),
    }
    room = max_bytes - DEAD_LETTER_OVERHEAD_BYTES - len(encode(letter))
    letter["payload_b64"] = base64.b64encode(raw[: max(0, room) // 4 * 3]).decode("ascii")
    return letter


def encode(value: Mapping[str, Any]) -> bytes:
    """Serialise a record for Kafka: compact JSON, UTF-8."""
    return orjson.dumps(value)
