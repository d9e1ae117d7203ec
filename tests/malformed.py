"""A catalogue of malformed ``wire.raw`` records, each with the dead-letter reason it must get.

Shared by the unit tests (``tests/test_bad_input.py``) and the tests that send them through the
real worker and broker. Payloads are built in code because many are not text (bad UTF-8, gzip)
or are large (oversize, deep nesting); ``MALFORMED_MAX_ITEM_BYTES`` is the record size limit the
tests give the worker so an oversize record still fits in one Kafka request.
"""

from __future__ import annotations

import gzip
from dataclasses import dataclass

import orjson

MALFORMED_MAX_ITEM_BYTES = 65_536
_TEXT = "JAKARTA (X) - Menteri Ratna Wulandari bertemu Menteri Kenji Morimoto di Tokyo, Rabu (13/3)."


@dataclass(frozen=True)
class Malformed:
    kind: str
    payload: bytes | None
    reason: str


def _item(**fields: object) -> bytes:
    base: dict[str, object] = {"id": "bad-item", "text": _TEXT}
    base.update(fields)
    return orjson.dumps({k: v for k, v in base.items() if v is not _DROP})


_DROP = object()

MALFORMED: tuple[Malformed, ...] = (
    Malformed("tombstone", None, "empty_value"),
    Malformed("empty bytes", b"", "empty_value"),
    Malformed("only whitespace", b" \r\n\t ", "empty_value"),
    Malformed("plain text", b"Menteri bertemu menteri", "invalid_json"),
    Malformed("truncated object", b'{"id": "a", "text": "cut', "invalid_json"),
    Malformed("two objects on one line", b'{"id": "a", "text": "x"}{"id": "b", "text": "y"}', "invalid_json"),
    Malformed("python repr", b"{'id': 'a', 'text': 'x'}", "invalid_json"),
    Malformed("NaN literal", b'{"id": "a", "text": "x", "score": NaN}', "invalid_json"),
    Malformed("byte order mark", b'\xef\xbb\xbf{"id": "a", "text": "x"}', "invalid_json"),
    Malformed("lone surrogate escape", b'{"id": "a", "text": "\\ud800 x"}', "invalid_json"),
    Malformed("raw control byte in string", b'{"id": "a", "text": "x\x01y"}', "invalid_json"),
    Malformed("latin-1 bytes", '{"id": "a", "text": "Jos\u00e9 Mar\u00eda"}'.encode("latin-1"), "not_utf8"),
    Malformed("utf-16", '{"id": "a", "text": "x"}'.encode("utf-16"), "not_utf8"),
    Malformed("overlong utf-8", b'{"id": "a", "text": "\xc0\xaf"}', "not_utf8"),
    Malformed("utf-8 encoded surrogate", b'{"id": "a", "text": "\xed\xa0\x80"}', "not_utf8"),
    Malformed("gzip-compressed json", gzip.compress(_item(), mtime=0), "not_utf8"),
    Malformed("deeply nested json", b'{"id": "a", "text": "x", "x": ' + b"[" * 5000 + b"]" * 5000 + b"}", "too_deep"),
    Malformed("json array", b'[{"id": "a", "text": "x"}]', "not_object"),
    Malformed("json string", b'"JAKARTA - Menteri bertemu"', "not_object"),
    Malformed("json number", b"42", "not_object"),
    Malformed("json null", b"null", "not_object"),
    Malformed("json boolean", b"true", "not_object"),
    Malformed("missing id", _item(id=_DROP), "missing_field"),
    Malformed("missing text", _item(text=_DROP), "missing_field"),
    Malformed("null text", _item(text=None), "missing_field"),
    Malformed("numeric id", _item(id=3735561), "wrong_type"),
    Malformed("object id", _item(id={"value": "a"}), "wrong_type"),
    Malformed("numeric text", _item(text=12.5), "wrong_type"),
    Malformed("list text", _item(text=[_TEXT]), "wrong_type"),
    Malformed("boolean title", _item(title=True), "wrong_type"),
    Malformed("numeric published_at", _item(published_at=20230918), "wrong_type"),
    Malformed("empty id", _item(id=""), "invalid_id"),
    Malformed("id too long", _item(id="x" * 300), "invalid_id"),
    Malformed("id with a newline", _item(id="antara-1\nantara-2"), "invalid_id"),
    Malformed("empty text", _item(text=""), "empty_text"),
    Malformed("blank text", _item(text=" \n\t "), "empty_text"),
    Malformed("NUL in text", _item(text="JAKARTA\u0000 - bertemu"), "control_characters"),
    Malformed("C1 control in text", _item(text="Menteri \u0085bertemu\u009c Menteri"), "control_characters"),
    Malformed(
        "HTML soup",
        _item(text="<div class='c'><p>Menteri <b>Ratna</b> bertemu</p><p>Kenji <a href='/x'>di Tokyo</a></p></div>"),
        "html_markup",
    ),
    Malformed("script tag", _item(text="Menteri bertemu <script>alert(1)</script> di Tokyo"), "html_markup"),
    Malformed("huge title", _item(title="T" * 10_000), "field_too_long"),
    Malformed("huge url", _item(url="https://x.test/" + "a" * 5000), "field_too_long"),
    Malformed("language name", _item(language="Indonesian"), "invalid_language"),
    Malformed("unsupported language", _item(language="fr"), "unsupported_language"),
    Malformed("unknown language code", _item(language="xx"), "unsupported_language"),
    Malformed("published_at in words", _item(published_at="yesterday"), "invalid_published_at"),
    Malformed("published_at not a date", _item(published_at="2023-02-30"), "invalid_published_at"),
    Malformed("published_at month 13", _item(published_at="2023-13"), "invalid_published_at"),
    Malformed("oversize record", _item(text="kata " * (MALFORMED_MAX_ITEM_BYTES // 5)), "too_large"),
)
"""At least one record of every way ``wire.raw`` input can be wrong, 49 kinds in all."""
