"""Which offsets the worker has processed: the only offsets it may commit.

Faust commits what its streams *acked*, and around a restart or a rebalance it loses records
both ways: it acks records it never hands to an agent ("skipped"), and it loses fetched records
without an ack (most likely a fetch filtered by the partitions active then), and their refetch
(its read offset is already past them). Both seen in the two-SIGKILL fault test: a restarted
worker committed past records it never processed (35 in one run), and they were lost. So the
worker keeps its own ledger, per partition: the offset it started from (the committed one, at
each assignment), the records the broker returned (*fetched*), the offsets where a fetch shows
there is no record (*holes*: transaction markers, compacted or aborted records) and the offsets
whose results are published (*processed*). It commits the end of the unbroken run from the start
(:meth:`ProcessedOffsets.committable`), whatever was acked: a record that was fetched but not
processed while later ones were stops the run, and :meth:`ProcessedOffsets.unread` names it so
the worker reads the partition again from there.

Holes are taken only from what the broker said: offsets missing inside one fetch response,
or between a fetch response and the position it was fetched from (the end of the previous
response, or the offset sought). Never from what a stream did or did not deliver.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Generic, TypeVar

P = TypeVar("P", bound=Hashable)
"""A partition (Faust's ``TP``; anything hashable in the tests)."""


@dataclass(slots=True)
class _Run:
    next: int
    """The first offset not settled: every offset before it is processed or has no record."""
    processed: set[int] = field(default_factory=set)
    """Processed offsets past ``next``."""
    holes: list[range] = field(default_factory=list)
    """Offsets past ``next`` with no record, as the broker's fetches showed."""

    def keep_from(self, offset: int) -> _Run:
        """What this run knows at or past ``offset``, as a run starting there."""
        run = _Run(
            offset,
            {o for o in self.processed if o >= offset},
            [range(max(h.start, offset), h.stop) for h in self.holes if h.stop > offset],
        )
        if self.next > offset:  # settled stays settled
            run.holes.append(range(offset, self.next))
        return run


class ProcessedOffsets(Generic[P]):
    """Per partition: where the worker started, what it fetched and what it has processed."""

    def __init__(self) -> None:
        self._runs: dict[P, _Run] = {}
        self._early: dict[P, _Run] = {}
        """Before the partition's start is known: Faust fetches, and the agent may process,
        records before it seeks to the committed offsets."""

    def start(self, partition: P, offset: int) -> None:
        """Read ``partition`` from ``offset`` (its committed offset, or the log start).

        Faust seeks to the committed offsets at each assignment, and again whenever it fetches
        while its flow is paused, so this may come while records are in flight: what is known
        at or past ``offset`` stays true and is kept."""
        known = self._runs.pop(partition, None) or self._early.pop(partition, None)
        run = known.keep_from(offset) if known is not None else _Run(offset)
        self._runs[partition] = run
        _settle(run)

    def tracks(self, partition: P) -> bool:
        return partition in self._runs

    def fetched(self, partition: P, offsets: Sequence[int], *, fetched_from: int | None) -> None:
        """The broker returned records at ``offsets`` (ascending) for a fetch from ``fetched_from``
        (None when not known for sure): the offsets between them, and from ``fetched_from`` to
        the first, hold no record."""
        if not offsets:
            return
        run = self._run(partition)
        first = offsets[0] if fetched_from is None else min(fetched_from, offsets[0])
        previous = first - 1
        for offset in offsets:
            if offset > previous + 1 and offset > run.next:
                run.holes.append(range(max(previous + 1, run.next), offset))
            previous = offset
        _settle(run)

    def processed(self, partition: P, offsets: Iterable[int]) -> None:
        """The broker acknowledged the results of these records (a replayed one is no news)."""
        run = self._run(partition)
        run.processed.update(o for o in offsets if o >= run.next)
        _settle(run)

    def committable(self, partition: P) -> int | None:
        """The offset to commit (Kafka's "next to read"): every record before it is processed."""
        run = self._runs.get(partition)
        return None if run is None else run.next

    def unread(self, partition: P) -> int | None:
        """The first record not processed while later ones were: read the partition again from it."""
        run = self._runs.get(partition)
        return run.next if run is not None and run.processed else None

    def _run(self, partition: P) -> _Run:
        return self._runs.get(partition) or self._early.setdefault(partition, _Run(0))


def _settle(run: _Run) -> None:
    """Move ``run.next`` over processed offsets and holes, up to the first record not processed."""
    while True:
        if run.next in run.processed:
            run.processed.discard(run.next)
            run.next += 1
            continue
        hole = next((h for h in run.holes if run.next in h), None)
        if hole is None:
            break
        run.next = hole.stop
    run.holes = [h for h in run.holes if h.stop > run.next]
