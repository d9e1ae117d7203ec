"""Which raw-topic offsets the worker has published: the only offsets it may commit.

Faust commits what its streams *acked*, and a stream acks some records it never hands to the
agent: around a rebalance or a seek it acks records as "skipped" on the assumption that they
come again. They do not always: in the two-SIGKILL fault test a restarted worker acked 35
records unread and committed past them, and they were lost. So the worker keeps its own
ledger, per partition: the offset it started from (the committed one, at each assignment),
the offsets a stream acked (*delivered*) and the offsets whose results the broker
acknowledged (*published*). It commits the end of the unbroken run of published offsets
(:meth:`PublishedOffsets.committable`), whatever was acked. Inside the run:

- an offset published: done;
- an offset never delivered while later ones are published: there is no record there for
  this consumer (a transaction marker, a compacted or aborted record), so it is passed over;
- an offset delivered but not published while later ones are: a record the stream skipped.
  The run stops there, and :meth:`PublishedOffsets.unread` names it so the worker reads the
  partition again from it.

Records arrive in offset order per partition, so by the time a later offset is published an
earlier record was either handed to the agent (and published first) or skipped.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from dataclasses import dataclass, field
from typing import Generic, TypeVar

P = TypeVar("P", bound=Hashable)
"""A partition (Faust's ``TP``; anything hashable in the tests)."""


@dataclass(slots=True)
class _Run:
    next: int
    """The first offset not settled: every offset before it is published or has no record."""
    published: set[int] = field(default_factory=set)
    """Published offsets past ``next``."""
    delivered: set[int] = field(default_factory=set)
    """Offsets past ``next`` that a stream acked, handed to the agent or skipped."""


class PublishedOffsets(Generic[P]):
    """Per partition: where the worker started and which offsets it has published since."""

    def __init__(self) -> None:
        self._runs: dict[P, _Run] = {}
        self._early: dict[P, _Run] = {}
        """What happened before the partition's start was known: Faust fetches, and the agent
        may process, records before it seeks to the committed offsets."""

    def start(self, partition: P, offset: int) -> None:
        """Read ``partition`` from ``offset`` (its committed offset, or the log start)."""
        early = self._early.pop(partition, _Run(offset))
        run = _Run(
            offset,
            published={o for o in early.published if o >= offset},
            delivered={o for o in early.delivered if o >= offset},
        )
        self._runs[partition] = run
        _settle(run)

    def tracks(self, partition: P) -> bool:
        return partition in self._runs

    def delivered(self, partition: P, offset: int) -> None:
        """A stream acked the record at ``offset``: the agent had it, or it was skipped."""
        run = self._runs.get(partition) or self._early.setdefault(partition, _Run(0))
        if offset >= run.next:
            run.delivered.add(offset)

    def published(self, partition: P, offsets: Iterable[int]) -> None:
        """The broker acknowledged the results of these records (a replayed one is no news)."""
        run = self._runs.get(partition)
        if run is None:
            early = self._early.setdefault(partition, _Run(0))
            early.published.update(offsets)
            return
        for offset in offsets:
            if offset >= run.next:
                run.published.add(offset)
                run.delivered.add(offset)
        _settle(run)

    def committable(self, partition: P) -> int | None:
        """The offset to commit (Kafka's "next to read"): every record before it is published."""
        run = self._runs.get(partition)
        return None if run is None else run.next

    def unread(self, partition: P) -> int | None:
        """The first record a stream skipped while later ones were published: read again from it."""
        run = self._runs.get(partition)
        return run.next if run is not None and run.published else None


def _settle(run: _Run) -> None:
    """Move ``run.next`` over published offsets and offsets with no record, up to a skipped one."""
    while run.published:
        if run.next in run.published:
            run.published.discard(run.next)
            run.delivered.discard(run.next)
            run.next += 1
        elif run.next in run.delivered:
            return  # skipped: stays unsettled until read again
        else:  # no record here for this consumer: jump to the next offset anything is known of
            run.next = min(o for o in (*run.published, *run.delivered) if o > run.next)
