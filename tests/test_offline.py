"""``meetwire extract`` offline bounds its work as the worker does (invented items, no broker)."""

from __future__ import annotations

import io

import orjson
import pytest

from stream.extract import MeetingExtractor
from stream.offline import extract_jsonl, wire_items

MEETING = (
    "JAKARTA - Menteri Luar Negeri Indonesia Budiman Sasongko bertemu dengan Menteri Luar Negeri "
    "Malaysia Harun Rashidi di Jakarta, Senin (18/9/2023)."
)


def _line(item_id: str, text: str) -> bytes:
    return orjson.dumps({"id": item_id, "text": text, "language": "id"})


@pytest.mark.parametrize(("limit", "kept"), [(None, 2), (len(MEETING), 1)])
def test_offline_refuses_texts_over_the_limit_as_the_worker_does(
    extractor: MeetingExtractor, limit: int | None, kept: int
) -> None:
    lines = [_line("short", MEETING), _line("long", MEETING + " " + MEETING)]
    out = io.BytesIO()
    counts = extract_jsonl(lines, out, extractor, max_item_bytes=1_000_000, max_text_chars=limit)
    items = {orjson.loads(line)["item_id"] for line in out.getvalue().splitlines()}
    assert len(items) == kept
    assert counts.skipped == 2 - kept


@pytest.mark.parametrize("run", ["(" * 5000, '"' * 5000, "," * 5000])
def test_offline_breaks_long_punctuation_runs_keeping_the_length(run: str) -> None:
    text = MEETING + " " + run
    [(_, item)] = list(wire_items([_line("x", text)], max_item_bytes=1_000_000))
    assert not isinstance(item, Exception)
    assert len(item.text) == len(text)
    assert item.text != text
    assert item.text.startswith(MEETING)
