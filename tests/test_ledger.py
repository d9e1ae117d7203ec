"""The ledger of processed offsets: commits never pass a record whose output was not published."""

from __future__ import annotations

import pytest
from faust.types import TP

from stream.faust_app import _ReadOffsets
from stream.ledger import ProcessedOffsets

P = ("raw", 0)
Ledger = ProcessedOffsets[tuple[str, int]]


def _ledger(start: int = 10) -> Ledger:
    ledger: Ledger = ProcessedOffsets()
    ledger.start(P, start)
    return ledger


@pytest.mark.parametrize("batches", [[range(10, 13), range(13, 20)]])
def test_ledger_commits_the_processed_run(batches: list[range]) -> None:
    ledger = _ledger()
    for batch in batches:
        ledger.fetched(P, list(batch), fetched_from=batch.start)
        ledger.processed(P, batch)
    assert ledger.committable(P) == batches[-1][-1] + 1
    assert ledger.unread(P) is None


@pytest.mark.parametrize(("lost", "after"), [(range(13, 20), range(20, 25))])
def test_ledger_stops_at_a_record_not_processed_and_names_it(lost: range, after: range) -> None:
    """Fetched, then acked unread or dropped by Faust; later records processed: the commit stops."""
    ledger = _ledger()
    ledger.fetched(P, list(range(10, 25)), fetched_from=10)
    ledger.processed(P, range(10, lost.start))
    ledger.processed(P, after)
    assert ledger.committable(P) == lost.start
    assert ledger.unread(P) == lost.start
    ledger.processed(P, lost)  # read again and processed
    assert ledger.committable(P) == after.stop
    assert ledger.unread(P) is None


@pytest.mark.parametrize("lost", [range(13, 20)])
def test_ledger_never_takes_a_record_it_did_not_see_fetched_for_a_hole(lost: range) -> None:
    """Records the agent never got and no fetch vouches for as missing: not a hole, a re-read."""
    ledger = _ledger()
    ledger.processed(P, [*range(10, lost.start), *range(lost.stop, 25)])
    assert ledger.committable(P) == lost.start
    assert ledger.unread(P) == lost.start


@pytest.mark.parametrize("holes", [[12, 15, 16]])
def test_ledger_passes_over_offsets_a_fetch_shows_empty(holes: list[int]) -> None:
    """Transaction markers, compacted and aborted records: missing inside a fetch response."""
    ledger = _ledger()
    present = [o for o in range(10, 20) if o not in holes]
    ledger.fetched(P, present, fetched_from=10)
    ledger.processed(P, present)
    assert ledger.committable(P) == 20
    assert ledger.unread(P) is None


@pytest.mark.parametrize(("start", "first"), [(10, 12)])
def test_ledger_passes_over_a_hole_where_a_fetch_started(start: int, first: int) -> None:
    """A commit that lands on a transaction marker: the next fetch from there starts after it."""
    ledger = _ledger(start)
    ledger.fetched(P, list(range(first, 20)), fetched_from=start)
    ledger.processed(P, range(first, 20))
    assert ledger.committable(P) == 20


@pytest.mark.parametrize(("start", "first"), [(10, 12)])
def test_ledger_infers_nothing_from_a_fetch_of_unknown_start(start: int, first: int) -> None:
    """A seek came during the fetch: where it started is not known, so 10 and 11 stay owed."""
    ledger = _ledger(start)
    ledger.fetched(P, list(range(first, 20)), fetched_from=None)
    ledger.processed(P, range(first, 20))
    assert ledger.committable(P) == start
    assert ledger.unread(P) == start


@pytest.mark.parametrize("in_flight", [range(13, 16)])
def test_ledger_does_not_re_read_records_still_in_flight(in_flight: range) -> None:
    """Fetched but not yet processed, with nothing processed after them: wait."""
    ledger = _ledger()
    ledger.fetched(P, list(range(10, 16)), fetched_from=10)
    ledger.processed(P, range(10, in_flight.start))
    assert ledger.committable(P) == in_flight.start
    assert ledger.unread(P) is None


@pytest.mark.parametrize("replayed", [range(5, 12)])
def test_ledger_ignores_replays_before_its_start(replayed: range) -> None:
    ledger = _ledger()
    ledger.processed(P, replayed)
    assert ledger.committable(P) == 12


@pytest.mark.parametrize(("start", "early"), [(10, range(8, 14))])
def test_ledger_keeps_what_was_processed_before_the_start(start: int, early: range) -> None:
    """Processed before Faust's seek to the committed offset: done, not owed."""
    ledger: Ledger = ProcessedOffsets()
    ledger.fetched(P, list(early), fetched_from=None)
    ledger.processed(P, early)
    assert ledger.committable(P) is None
    assert not ledger.tracks(P)
    ledger.start(P, start)
    assert ledger.committable(P) == early.stop
    assert ledger.unread(P) is None


@pytest.mark.parametrize("committed", [12])
def test_ledger_start_again_keeps_what_is_known(committed: int) -> None:
    """Faust seeks to the committed offset again mid-stream: an owed record stays owed, a
    processed one stays processed."""
    ledger = _ledger()
    ledger.fetched(P, list(range(10, 20)), fetched_from=10)
    ledger.processed(P, [*range(10, 14), 15])
    ledger.start(P, committed)
    assert ledger.committable(P) == 14
    assert ledger.unread(P) == 14
    ledger.processed(P, [14, *range(16, 20)])
    assert ledger.committable(P) == 20


def test_read_offsets_hold_a_reread_until_its_record_is_handed_out() -> None:
    """Records of a fetch from before a re-read's seek must not raise the read offset past it."""
    tp = TP("raw", 0)
    offsets = _ReadOffsets()
    offsets[tp] = 300
    offsets.hold(tp, 246)
    offsets[tp] = 301  # handed out from the stale fetch
    assert offsets[tp] == 246
    offsets[tp] = 246  # the re-read has come
    offsets[tp] = 247
    assert offsets[tp] == 247
    assert offsets[TP("raw", 1)] is None
