"""The ledger of published offsets: commits never pass a record whose output was not published."""

from __future__ import annotations

import pytest

from stream.ledger import PublishedOffsets

P = ("raw", 0)


def _ledger(start: int = 10) -> PublishedOffsets[tuple[str, int]]:
    ledger: PublishedOffsets[tuple[str, int]] = PublishedOffsets()
    ledger.start(P, start)
    return ledger


def _deliver(ledger: PublishedOffsets[tuple[str, int]], offsets: range) -> None:
    for offset in offsets:
        ledger.delivered(P, offset)


@pytest.mark.parametrize("batches", [[range(10, 13), range(13, 20)]])
def test_ledger_commits_the_published_run(batches: list[range]) -> None:
    ledger = _ledger()
    for batch in batches:
        _deliver(ledger, batch)
        ledger.published(P, batch)
    assert ledger.committable(P) == batches[-1][-1] + 1
    assert ledger.unread(P) is None


@pytest.mark.parametrize(("skipped", "after"), [(range(13, 20), range(20, 25))])
def test_ledger_stops_at_a_skipped_record_and_names_it(skipped: range, after: range) -> None:
    """Acked unread (Faust's skip), then later records published: the commit stops before them."""
    ledger = _ledger()
    _deliver(ledger, range(10, 25))
    ledger.published(P, range(10, skipped.start))
    ledger.published(P, after)
    assert ledger.committable(P) == skipped.start
    assert ledger.unread(P) == skipped.start
    ledger.published(P, skipped)  # read again and published
    assert ledger.committable(P) == after.stop
    assert ledger.unread(P) is None


@pytest.mark.parametrize("holes", [[12, 15, 16]])
def test_ledger_passes_over_offsets_with_no_record(holes: list[int]) -> None:
    """Transaction markers and compacted records are never delivered: nothing to wait for."""
    ledger = _ledger()
    present = [o for o in range(10, 20) if o not in holes]
    for offset in present:
        ledger.delivered(P, offset)
    ledger.published(P, present)
    assert ledger.committable(P) == 20
    assert ledger.unread(P) is None


@pytest.mark.parametrize("in_flight", [range(13, 16)])
def test_ledger_does_not_pass_records_still_in_flight(in_flight: range) -> None:
    """Delivered but not yet published, with nothing published after them: wait, do not re-read."""
    ledger = _ledger()
    _deliver(ledger, range(10, 16))
    ledger.published(P, range(10, in_flight.start))
    assert ledger.committable(P) == in_flight.start
    assert ledger.unread(P) is None


@pytest.mark.parametrize("replayed", [range(5, 12)])
def test_ledger_ignores_replays_before_its_start(replayed: range) -> None:
    ledger = _ledger()
    ledger.published(P, replayed)
    assert ledger.committable(P) == 12


@pytest.mark.parametrize("early", [range(10, 14)])
def test_ledger_remembers_records_acked_before_the_start(early: range) -> None:
    """Fetched and skipped before the first seek: still a skipped record once the run starts."""
    ledger: PublishedOffsets[tuple[str, int]] = PublishedOffsets()
    for offset in early:
        ledger.delivered(P, offset)
    ledger.start(P, early.start)
    ledger.published(P, [early.stop])
    assert ledger.committable(P) == early.start
    assert ledger.unread(P) == early.start


@pytest.mark.parametrize(("start", "early"), [(10, range(8, 14))])
def test_ledger_keeps_what_was_published_before_the_start(start: int, early: range) -> None:
    """Processed before Faust's seek to the committed offset: done, not skipped."""
    ledger: PublishedOffsets[tuple[str, int]] = PublishedOffsets()
    for offset in early:
        ledger.delivered(P, offset)
    ledger.published(P, early)
    assert ledger.committable(P) is None
    assert not ledger.tracks(P)
    ledger.start(P, start)
    assert ledger.committable(P) == early.stop
    assert ledger.unread(P) is None


@pytest.mark.parametrize("restart", [12])
def test_ledger_start_again_after_a_rebalance_forgets_the_old_run(restart: int) -> None:
    ledger = _ledger()
    _deliver(ledger, range(10, 20))
    ledger.published(P, [15])
    ledger.start(P, restart)
    assert ledger.committable(P) == restart
    assert ledger.unread(P) is None
