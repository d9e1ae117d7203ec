"""Random input against the decoder and the extractor: nothing escapes, every span is sound."""

from __future__ import annotations

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from stream.codec import RecordOrigin, decode_wire_item
from stream.errors import PoisonRecord
from stream.extract import MeetingExtractor
from stream.process import RawRecord, event_problem, process_batch
from stream.records import WireItem

LIMIT = 65_536
FUZZ_SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Words that make the extractor work (titles, names, meeting verbs, places, dates), so random
# sentences reach the code that builds spans instead of stopping at "no trigger".
VOCABULARY = [
    "Menteri",
    "Luar",
    "Negeri",
    "Presiden",
    "Joko",
    "Widodo",
    "bertemu",
    "dengan",
    "Ratna",
    "Wulandari",
    "Kenji",
    "Morimoto",
    "di",
    "Jakarta",
    "Tokyo",
    "Moskow",
    "Senin",
    "(18/9)",
    "pertemuan",
    "bilateral",
    "membahas",
    "kerja",
    "sama",
    "Foreign",
    "Minister",
    "met",
    "with",
    "in",
    "on",
    "Monday",
    "talks",
    "held",
    "President",
    "Wang",
    "Yi",
    "Sergey",
    "Lavrov",
    "JAKARTA",
    "(ANTARA)",
    "-",
    ",",
    ".",
    "\n",
    "Baca",
    "juga:",
    "Editor:",
    "2023",
    "September",
    "18",
    "kemarin",
    "akan",
    "batal",
    "the",
    "and",
]
JSON_SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(-(2**63), 2**63 - 1)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=40)
)
JSON_VALUES = st.recursive(
    JSON_SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=20,
)
WIRE_FIELDS = st.fixed_dictionaries(
    {},
    optional={
        "id": st.text(max_size=20) | JSON_VALUES,
        "text": st.text(max_size=200) | JSON_VALUES,
        "language": st.sampled_from(["id", "en", "fr", "EN", "", "xx"]) | JSON_VALUES,
        "published_at": st.sampled_from(["2023", "2023-09", "2023-09-18", "2023-09-18T10:00:00Z", "2023-02-30"])
        | JSON_VALUES,
        "title": JSON_VALUES,
        "source": JSON_VALUES,
    },
)
ARTICLES = st.lists(st.sampled_from(VOCABULARY) | st.text(max_size=6), min_size=1, max_size=80).map(" ".join)


def _assert_sound(events: list[object], text: str) -> None:
    for event in events:
        problem = event_problem(event, text)  # type: ignore[arg-type]
        assert problem is None, problem


@FUZZ_SETTINGS
@given(raw=st.binary(max_size=300) | WIRE_FIELDS.map(orjson.dumps))
def test_fuzz_decoder_raises_only_poison(raw: bytes) -> None:
    try:
        item = decode_wire_item(raw, max_bytes=LIMIT)
    except PoisonRecord as exc:
        assert exc.reason and exc.detail
        return
    assert isinstance(item, WireItem)
    assert item.id and item.text.strip()


@pytest.mark.parametrize("language", ["id", "en", None])
@FUZZ_SETTINGS
@given(text=ARTICLES, published_at=st.sampled_from([None, "2023", "2023-09-18", "2024-02-29T23:59:59+07:00"]))
def test_fuzz_extractor_spans_valid(
    extractor: MeetingExtractor, language: str | None, text: str, published_at: str | None
) -> None:
    if not text.strip():
        return
    item = WireItem(id="fuzz", text=text, language=language, published_at=published_at)
    events = extractor.extract(item)
    _assert_sound(list(events), text)
    assert len({e.event_id for e in events}) == len(events)
    assert [e.event_id for e in extractor.extract(item)] == [e.event_id for e in events]  # deterministic


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    payloads=st.lists(
        st.binary(max_size=100)
        | WIRE_FIELDS.map(orjson.dumps)
        | ARTICLES.map(lambda t: orjson.dumps({"id": "a", "text": t})),
        min_size=1,
        max_size=12,
    )
)
def test_fuzz_process_batch_accounts_for_every_record(extractor: MeetingExtractor, payloads: list[bytes]) -> None:
    records = [RawRecord(p, RecordOrigin("wire.raw", 0, i, None), None) for i, p in enumerate(payloads)]
    result = process_batch(records, extractor, max_item_bytes=LIMIT)
    assert len(result.outcomes) == len(records)
    assert result.outcomes.count("dead_letter") == len(result.dead_letters)
