"""``process_batch``: extractor failures and unsound events cost one record, never the batch."""

from __future__ import annotations

import base64
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime

import orjson
import pytest

from stream.codec import RecordOrigin
from stream.process import RawRecord, event_problem, process_batch
from stream.records import Evidence, Extractor, MeetingEvent, Participant, WireItem, make_event_id

TEXT = "Ratna Wulandari bertemu Kenji Morimoto di Tokyo."


def _event(item: WireItem, *, span: tuple[int, int] = (0, 15)) -> MeetingEvent:
    return MeetingEvent(
        event_id=make_event_id(item.id, ["Ratna Wulandari", "Kenji Morimoto"], 0),
        item_id=item.id,
        status="held",
        participants=(
            Participant("Ratna Wulandari", None, None, "ID", "Ratna Wulandari", span),
            Participant("Kenji Morimoto", None, None, "JP", "Kenji Morimoto", (24, 38)),
        ),
        evidence=Evidence(item.text, (0, len(item.text))),
        confidence=0.9,
        extractor=Extractor("test", "0"),
    )


class ScriptedExtractor:
    """Stands in for the real extractor, whose failures cannot be provoked on demand."""

    supported_languages = frozenset({"id", "en"})

    def __init__(self, *, fail_on: str = "", bad_span_on: str = "", batch_fails: bool = True) -> None:
        self.fail_on, self.bad_span_on, self.batch_fails = fail_on, bad_span_on, batch_fails

    def extract(self, item: WireItem, *, received_at: datetime | None = None) -> list[MeetingEvent]:
        if item.id == self.fail_on:
            raise ZeroDivisionError("division by zero in the date resolver")
        return [_event(item, span=(0, 99) if item.id == self.bad_span_on else (0, 15))]

    def extract_many(self, items: Sequence[tuple[WireItem, datetime | None]]) -> list[list[MeetingEvent]]:
        if self.batch_fails and any(item.id == self.fail_on for item, _ in items):
            raise ZeroDivisionError("division by zero in the date resolver")
        return [self.extract(item, received_at=at) for item, at in items]


def _records(*ids: str) -> list[RawRecord]:
    return [
        RawRecord(orjson.dumps({"id": i, "text": TEXT}), RecordOrigin("wire.raw", 0, n, i.encode()), None)
        for n, i in enumerate(ids)
    ]


@pytest.mark.parametrize("batch_fails", [True, False])
def test_process_extraction_error_costs_one_record(batch_fails: bool) -> None:
    extractor = ScriptedExtractor(fail_on="b", batch_fails=batch_fails)
    result = process_batch(_records("a", "b", "c"), extractor, max_item_bytes=4096)  # type: ignore[arg-type]

    assert result.outcomes == ["events", "dead_letter", "events"]
    assert [e.item_id for _, e in result.events] == ["a", "c"]
    [(outgoing, reason)] = result.dead_letters
    letter = orjson.loads(outgoing.value)
    assert reason == letter["reason"] == "extraction_error"
    assert letter["detail"] == "ZeroDivisionError: division by zero in the date resolver"
    assert orjson.loads(base64.b64decode(letter["payload_b64"]))["id"] == "b"


@pytest.mark.parametrize("bad", ["b"])
def test_process_unsound_event_is_dead_lettered_not_published(bad: str) -> None:
    result = process_batch(_records("a", bad), ScriptedExtractor(bad_span_on=bad), max_item_bytes=4096)  # type: ignore[arg-type]

    assert result.outcomes == ["events", "dead_letter"]
    assert [reason for _, reason in result.dead_letters] == ["invalid_event"]
    assert "outside the text" in orjson.loads(result.dead_letters[0][0].value)["detail"]


@pytest.mark.parametrize(
    ("span", "problem"),
    [((0, 15), None), ((1, 16), "covers"), ((40, 99), "outside the text"), ((5, 2), "outside the text")],
)
def test_process_event_problem_checks_every_span(span: tuple[int, int], problem: str | None) -> None:
    item = WireItem(id="x", text=TEXT)
    found = event_problem(_event(item, span=span), TEXT)
    assert (found is None) if problem is None else (problem in str(found))
    assert event_problem(replace(_event(item), evidence=Evidence("Ratna", (1, 6))), TEXT) is not None
