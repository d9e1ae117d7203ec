"""Malformed ``wire.raw`` records: each becomes a dead letter with a specific reason, none is lost.

The worker-level proof (the same catalogue through the real worker and broker) is in
``tests/test_faults.py``; here ``process_batch`` runs them with the real extractor, no broker.
"""

from __future__ import annotations

import base64

import orjson
import pytest

from stream.codec import RecordOrigin
from stream.extract import MeetingExtractor
from stream.process import RawRecord, process_batch
from stream.schemas import load_validator
from tests.malformed import MALFORMED, MALFORMED_MAX_ITEM_BYTES, Malformed

GOOD = orjson.dumps(
    {
        "id": "good-1",
        "language": "id",
        "text": "JAKARTA (X) - Menteri Luar Negeri Indonesia Ratna Wulandari bertemu dengan Menteri Luar Negeri "
        "Jepang Kenji Morimoto di Tokyo, Rabu (13/3), untuk membahas kerja sama maritim.",
    }
)


def _record(payload: bytes | None, offset: int) -> RawRecord:
    return RawRecord(payload, RecordOrigin("wire.raw", 0, offset, b"k"), timestamp=None)


def test_bad_input_catalogue_covers_thirty_kinds() -> None:
    assert len(MALFORMED) >= 30
    assert len({m.kind for m in MALFORMED}) == len(MALFORMED)


@pytest.mark.parametrize("case", MALFORMED, ids=[m.kind for m in MALFORMED])
def test_bad_input_dead_lettered_with_reason(extractor: MeetingExtractor, case: Malformed) -> None:
    result = process_batch([_record(case.payload, 7)], extractor, max_item_bytes=MALFORMED_MAX_ITEM_BYTES)

    assert result.outcomes == ["dead_letter"]
    assert result.events == []
    [(outgoing, reason)] = result.dead_letters
    assert reason == case.reason
    letter = orjson.loads(outgoing.value)
    load_validator("dead_letter").validate(letter)
    assert letter["reason"] == case.reason
    assert letter["detail"]
    assert base64.b64decode(letter["payload_b64"]) == (case.payload or b"")
    assert (letter["topic"], letter["partition"], letter["offset"]) == ("wire.raw", 0, 7)


@pytest.mark.parametrize("position", [0, 25, 48])
def test_bad_input_whole_catalogue_in_one_batch_keeps_the_good_item(extractor: MeetingExtractor, position: int) -> None:
    payloads: list[bytes | None] = [m.payload for m in MALFORMED]
    payloads.insert(position, GOOD)
    records = [_record(p, i) for i, p in enumerate(payloads)]

    result = process_batch(records, extractor, max_item_bytes=MALFORMED_MAX_ITEM_BYTES)

    assert len(result.outcomes) == len(records)
    assert result.outcomes[position] in {"events", "no_meeting"}
    assert result.outcomes.count("dead_letter") == len(MALFORMED)
    assert [reason for _, reason in result.dead_letters] == [m.reason for m in MALFORMED]


@pytest.mark.parametrize(
    "text",
    [
        "kata " * 12_000,  # a huge but legal text: processed, not rejected
        "Menteri " * 3_000 + "bertemu " * 3_000,
        "\u202e\u200b\ufeff Menteri bertemu \U0001f600 di Tokyo \u0301\u0301",
        "< > & &amp; a<b and b>c, 3 < 4",  # angle brackets are not markup
    ],
)
def test_bad_input_odd_but_legal_text_is_processed(extractor: MeetingExtractor, text: str) -> None:
    raw = orjson.dumps({"id": "odd-1", "text": text, "language": "en"})
    result = process_batch([_record(raw, 0)], extractor, max_item_bytes=1_048_576)
    assert result.outcomes[0] in {"events", "no_meeting"}, result.dead_letters
