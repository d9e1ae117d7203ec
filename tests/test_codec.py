from __future__ import annotations

import base64
import hashlib

import orjson
import pytest

from stream.codec import RecordOrigin, dead_letter, decode_wire_item
from stream.errors import PoisonRecord
from stream.schemas import load_validator

LIMIT = 8192


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (None, "empty_value"),
        (b"not json", "invalid_json"),
        (b'{"id": "a", "text": "cut', "invalid_json"),
        (b"\xff\xfe{}", "not_utf8"),
        (b"[1, 2]", "not_object"),
        (b'"a string"', "not_object"),
        (b'{"text": "no id"}', "missing_field"),
        (b'{"id": "a"}', "missing_field"),
        (b'{"id": null, "text": "x"}', "missing_field"),
        (b'{"id": 42, "text": "x"}', "wrong_type"),
        (b'{"id": "a", "text": ["x"]}', "wrong_type"),
        (b'{"id": "", "text": "x"}', "invalid_id"),
        (b'{"id": "a", "text": "  \\n "}', "empty_text"),
        (b'{"id": "a", "text": "x", "title": 5}', "wrong_type"),
        (b'{"id": "a", "text": "x", "language": "Indonesian"}', "invalid_language"),
        (b'{"id": "a", "text": "x", "published_at": "yesterday"}', "invalid_published_at"),
        (b'{"id": "a", "text": "' + b"x" * LIMIT + b'"}', "too_large"),
        (b"[" * 2000 + b"]" * 2000, "too_deep"),
    ],
)
def test_codec_rejects_with_reason(raw: bytes | None, reason: str) -> None:
    with pytest.raises(PoisonRecord) as info:
        decode_wire_item(raw, max_bytes=LIMIT)
    assert info.value.reason == reason
    assert info.value.detail


@pytest.mark.parametrize(
    "value",
    [
        {"id": "a", "text": "Teks."},
        {"id": "b", "text": "Text.", "language": "en", "published_at": "2024-05-01T10:00:00+07:00", "extra": [1]},
        {"id": "c", "text": "Text.", "published_at": "2024-05"},
        {"id": "d", "text": "Text.", "published_at": "2024", "source": None, "url": "https://x.test/1"},
    ],
)
def test_codec_accepts_valid_items(value: dict[str, object]) -> None:
    raw = orjson.dumps(value)
    item = decode_wire_item(raw, max_bytes=LIMIT)
    assert item.id == value["id"]
    assert item.text == value["text"]
    assert load_validator("wire_item").is_valid(value)


@pytest.mark.parametrize("payload", [b"\x00\xffbinary"])
def test_codec_dead_letter_keeps_original_bytes(payload: bytes) -> None:
    letter = dead_letter("not_utf8", "bad byte", payload, RecordOrigin("wire.raw", 0, 7, b"k"))
    assert base64.b64decode(letter["payload_b64"]) == payload
    assert (letter["topic"], letter["partition"], letter["offset"], letter["key"]) == ("wire.raw", 0, 7, "k")
    load_validator("dead_letter").validate(letter)


@pytest.mark.parametrize(("payload_bytes", "max_bytes"), [(2_000_000, 1_000_000), (20_000, 8192)])
def test_codec_dead_letter_too_large_carries_a_prefix_that_fits(payload_bytes: int, max_bytes: int) -> None:
    payload = bytes(range(256)) * (payload_bytes // 256) + b"x" * (payload_bytes % 256)
    letter = dead_letter("too_large", "big", payload, RecordOrigin("wire.raw", 0, 7, b"k"), max_bytes=max_bytes)

    encoded = orjson.dumps(letter)
    assert len(encoded) <= max_bytes
    assert len(encoded) > max_bytes // 2  # the room is used, not wasted
    load_validator("dead_letter").validate(letter)
    prefix = base64.b64decode(letter["payload_b64"])
    assert prefix and payload.startswith(prefix)
    assert letter["payload_truncated"] is True
    assert letter["payload_bytes"] == len(payload)
    assert letter["payload_sha256"] == hashlib.sha256(payload).hexdigest()


@pytest.mark.parametrize("max_bytes", [None, 4096])
def test_codec_dead_letter_that_fits_is_whole(max_bytes: int | None) -> None:
    payload = b'{"id": "a", "text": "short"}'
    letter = dead_letter("x", "y", payload, RecordOrigin("wire.raw", 0, 7, b"k"), max_bytes=max_bytes)
    assert base64.b64decode(letter["payload_b64"]) == payload
    assert "payload_truncated" not in letter
