"""``MeetwireApp``: a ``faust.App`` whose Kafka clients are tuned for at-least-once and low latency.

**Producer: always idempotent with ``acks=all``.** faust-streaming 0.15 turns on
``enable_idempotence`` only inside transactions (exactly-once mode, see
``faust.transport.drivers.aiokafka.Producer._settings_extra``). At-least-once
delivery needs it too: without it, a send that the broker wrote but whose acknowledgement was
lost (broker restart, network blip) is retried and lands twice, and a retried batch can
overtake a later one. With it, the broker drops those retries by producer id and sequence
number.

**Consumer: fetches wait at most 100 ms.** Faust fixes aiokafka's ``fetch_max_wait_ms`` at
1500. aiokafka sends one fetch at a time to a broker, for the assigned partitions that have
nothing buffered; when the raw partition still has records buffered, that fetch holds only idle
partitions (Faust's assignor topic, quiet raw partitions) and the broker parks it for the whole
wait, so the raw topic is not fetched again for up to 1.5 s. Measured at half load: p99 latency
0.15-1.7 s from run to run with 1500 ms; see the README's Performance section for 100 ms.

**Commits on demand.** :meth:`MeetwireApp.commit_now` commits when the caller says (after a
published batch), not only on Faust's timer.

**Commits what was processed, not what was acked.** For the topics the agents read, every
commit (the caller's, the timer's, the one before a rebalance) takes its offset from a ledger
of the records fetched and processed, because around a rebalance Faust acks records it never
handed out and drops others (``stream/ledger.py``); a record fetched but not processed is
sought again (:meth:`ShortFetchWaitConsumer.reread_unprocessed`).
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Iterable, Mapping, Set
from typing import Any

import aiokafka
import faust
from aiokafka.errors import IllegalStateError
from faust.transport.consumer import RecordMap
from faust.transport.drivers.aiokafka import AIOKafkaConsumerThread
from faust.transport.drivers.aiokafka import Consumer as AIOKafkaDriverConsumer
from faust.transport.drivers.aiokafka import Producer as AIOKafkaDriverProducer
from faust.transport.drivers.aiokafka import Transport as AIOKafkaTransport
from faust.types import TP, ConsumerT, EventT
from mode import Service, ServiceT

from stream import log_throttle
from stream.health import HttpServer
from stream.ledger import ProcessedOffsets

IDEMPOTENT_PRODUCER_SETTINGS: Mapping[str, Any] = {"acks": "all", "enable_idempotence": True}
"""What every producer of the worker is given, in and out of transactions."""
FETCH_MAX_WAIT_MS = 100
"""Longest time the broker holds a fetch that found no data (aiokafka's ``fetch_max_wait_ms``)."""


class IdempotentProducer(AIOKafkaDriverProducer):
    """Faust's aiokafka producer with idempotence on whatever the processing guarantee."""

    def _settings_extra(self) -> Mapping[str, Any]:
        return {**super()._settings_extra(), **IDEMPOTENT_PRODUCER_SETTINGS}


class ShortFetchWaitConsumerThread(AIOKafkaConsumerThread):
    """Faust's consumer thread, whose aiokafka consumer waits :data:`FETCH_MAX_WAIT_MS` per fetch."""

    def _create_worker_consumer(self, transport: AIOKafkaTransport) -> aiokafka.AIOKafkaConsumer:
        consumer = super()._create_worker_consumer(transport)
        # Faust passes 1500 with no setting to change it; aiokafka reads this when it starts.
        consumer._fetch_max_wait_ms = FETCH_MAX_WAIT_MS
        return consumer


class _ReadOffsets(defaultdict[TP, int | None]):
    """Faust's read offsets (the drainer drops a fetched record below its partition's), held at a
    re-read's offset until that record is handed out. Faust may still be handing out a fetch from
    before the seek: each of its records would raise the read offset past the re-read, whose
    records would then be dropped and the re-read would come only at a later retry."""

    def __init__(self) -> None:
        super().__init__(lambda: None)
        self.holds: dict[TP, int] = {}

    def hold(self, tp: TP, offset: int) -> None:
        self.holds[tp] = offset
        super().__setitem__(tp, offset)

    def __setitem__(self, tp: TP, offset: int | None) -> None:
        held = self.holds.get(tp)
        if held is not None:
            if offset != held:
                return  # a record fetched before the re-read's seek: keep the partition's floor
            del self.holds[tp]  # the re-read has come
        super().__setitem__(tp, offset)


class ShortFetchWaitConsumer(AIOKafkaDriverConsumer):
    """Faust's aiokafka consumer, run by a :class:`ShortFetchWaitConsumerThread`, that commits the
    topics in :attr:`ledger_topics` from its :class:`~stream.ledger.ProcessedOffsets` instead of
    from the streams' acks (why: ``stream/ledger.py``)."""

    ledger_topics: frozenset[str] = frozenset()
    """Topics whose offsets are committed from the ledger (those the agents read); set by the app."""
    REREAD_AFTER_S = 5.0
    """Seconds before a record not processed is sought again if the last seek has not brought it."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.ledger: ProcessedOffsets[TP] = ProcessedOffsets()
        self._rereads: dict[TP, tuple[int, float]] = {}
        self._fetch_from: dict[TP, int] = {}
        """Where the next fetch of a partition starts: the end of the last one, or the offset sought."""
        self._seeks = 0
        self._read_offset: _ReadOffsets = _ReadOffsets()

    def _new_consumer_thread(self) -> ShortFetchWaitConsumerThread:
        return ShortFetchWaitConsumerThread(self, loop=self.loop, beacon=self.beacon)

    async def _getmany(self, active_partitions: set[TP] | None, timeout: float) -> RecordMap:  # noqa: ASYNC109 - Faust's signature
        seeks = self._seeks
        records = await super()._getmany(active_partitions, timeout)
        for tp, batch in records.items():
            if tp.topic not in self.ledger_topics or not batch:
                continue
            offsets = [record.offset for record in batch]
            # A seek during the fetch leaves its start unknown: then only holes inside it count.
            fetched_from = self._fetch_from.get(tp) if seeks == self._seeks else None
            self.ledger.fetched(tp, offsets, fetched_from=fetched_from)
            self._fetch_from[tp] = offsets[-1] + 1
        return records

    async def _seek(self, partition: TP, offset: int) -> None:
        # Faust seeks from the event loop's thread, into the aiokafka consumer that the consumer
        # thread runs: its fetcher's buffered fetches are a dict that both threads then test and
        # delete from, unlocked. A seek between the fetcher's test and its delete raised KeyError
        # in the consumer thread, which reached Faust's fetcher and ended the worker (exit 1;
        # seen after restarts, when re-reads seek many times a second). In the consumer thread
        # the seek runs between two of the fetcher's steps.
        thread = self._thread

        async def seek_in_consumer_thread() -> None:
            thread.seek(partition, offset)

        await thread.call_thread(seek_in_consumer_thread)
        self._sought(partition, offset)

    def _sought(self, tp: TP, offset: int) -> None:
        self._seeks += 1
        self._fetch_from[tp] = offset

    async def perform_seek(self) -> None:
        """Seek to the committed offsets, and start each ledger partition's run from there."""
        await super().perform_seek()
        self._read_offset.holds.clear()  # every partition is read from its committed offset again
        assigned = [tp for tp in self.assignment() if tp.topic in self.ledger_topics]
        never_committed = [tp for tp in assigned if self._committed_offset.get(tp) is None]
        # A partition the group never committed on is read from its start (auto_offset_reset).
        starts = dict(await self.earliest_offsets(*never_committed)) if never_committed else {}
        for tp in assigned:
            committed = self._committed_offset.get(tp)
            offset = committed if committed is not None else starts.get(tp, 0)
            self._sought(tp, offset)
            self.ledger.start(tp, offset)

    def _new_offset(self, tp: TP) -> int | None:
        if tp.topic not in self.ledger_topics:
            return super()._new_offset(tp)
        # Faust's own bookkeeping for this partition is not used: keep it from growing.
        self._acked[tp].clear()
        self._acked_index[tp].clear()
        self._gap.pop(tp, None)
        committed = self._committed_offset.get(tp)
        if not self.ledger.tracks(tp) and committed is not None:
            # Assigned without a seek to committed (not a path Faust takes today): start from there.
            self.ledger.start(tp, committed)
        return self.ledger.committable(tp)

    async def assigned_highwaters(self, topic: str) -> dict[TP, int | None]:
        """Each partition of ``topic`` assigned now, with its high watermark (None until fetched).

        Read in the consumer thread, where no rebalance comes between the assignment and the
        reading: from the event loop's thread, aiokafka's ``highwater`` of a partition revoked
        meanwhile would fail an assertion, which in a timer ends the worker."""
        thread = self._thread

        async def read_in_consumer_thread() -> dict[TP, int | None]:
            return {tp: thread.highwater(tp) for tp in thread.assignment() if tp.topic == topic}

        highwaters: dict[TP, int | None] = await thread.call_thread(read_in_consumer_thread)
        return highwaters

    def superseded(self, tp: TP, offset: int) -> bool:
        """A record past the one ``tp`` is being read again from, while that one is still owed."""
        reread = self._rereads.get(tp)
        return reread is not None and offset > reread[0] and self.ledger.unread(tp) == reread[0]

    @Service.timer(REREAD_AFTER_S)
    async def _retry_rereads(self) -> None:
        """Seek again where a re-read has not come (Faust drops a refetch while it still hands out
        the records of a fetch from before the seek); needed when no new record arrives."""
        await self.reread_unprocessed(list(self._rereads))

    async def reread_unprocessed(self, partitions: Iterable[TP]) -> None:
        """Seek back to any fetched record that was not processed while later ones were."""
        now = time.monotonic()
        for tp in partitions:
            offset = self.ledger.unread(tp)
            # Nothing missing, or the re-read came; or revoked: its new owner starts from the last
            # commit, which stopped here. (The assignment is asked only when a record is missing.)
            if offset is None or tp not in self.assignment():
                self._rereads.pop(tp, None)
                self._read_offset.holds.pop(tp, None)
                continue
            last = self._rereads.get(tp)
            if last is not None and last[0] == offset and now - last[1] < self.REREAD_AFTER_S:
                continue  # sought already: the records before it in the queue are still coming
            self.log.warning(
                "%s[%d]@%d was fetched but never processed: reading the partition again from it",
                tp.topic,
                tp.partition,
                offset,
            )
            self._rereads[tp] = (offset, now)
            # Held before the seek, not after: while the seek waits for the consumer thread, the
            # drainer goes on handing out records fetched before it, each of which would raise the
            # partition's read offset past this one, and the re-read records would be dropped. The
            # seek is ``_seek``: Faust's ``seek`` sets the read offset after it, releasing the hold.
            self._read_offset.hold(tp, offset)
            try:
                await self._seek(tp, offset)
            except IllegalStateError:
                # Revoked while the seek waited for the consumer thread: as above, the next owner
                # starts from the last commit, which stopped at this record.
                self.log.info("%s[%d] was revoked before its re-read from %d", tp.topic, tp.partition, offset)
                self._rereads.pop(tp, None)
                self._read_offset.holds.pop(tp, None)


class MeetwireApp(faust.App):
    """``faust.App`` with an :class:`IdempotentProducer`, a :class:`ShortFetchWaitConsumer`, and
    meetwire's own :class:`~stream.health.HttpServer` in place of Faust's web server."""

    http_server: HttpServer | None = None
    ledger_topics: frozenset[str] = frozenset()
    """Topics the consumer commits from its ledger of processed offsets (``stream/ledger.py``)."""

    def serve_http(self, server: HttpServer) -> None:
        """Serve ``server`` instead of Faust's web server (which is then never built, nor its views)."""
        self.web_server(server)
        self.http_server = server

    async def on_first_start(self) -> None:
        # The worker has set up its log handlers by now: throttle the Kafka libraries' repeats.
        log_throttle.install()
        await super().on_first_start()

    def on_init_dependencies(self) -> Iterable[ServiceT]:
        dependencies = list(super().on_init_dependencies())
        if self.http_server is None:
            return dependencies
        # Started first, not after the first partition assignment as Faust starts a web server:
        # the probes must answer while the worker waits for the broker or the group.
        return [self.http_server, *dependencies]

    async def processed(self, events: Iterable[EventT[Any]], *, commit: bool = False) -> None:
        """Note ``events`` as done in the consumer's ledger, commit now if ``commit``, and seek back
        to any record of their partitions that a stream skipped (``stream/ledger.py``).

        Done: their output was acknowledged, or sent without waiting (Faust flushes the producer
        before it commits)."""
        consumer = self.consumer
        assert isinstance(consumer, ShortFetchWaitConsumer)  # noqa: S101 - what _new_consumer builds
        offsets: dict[TP, list[int]] = {}
        for event in events:
            offsets.setdefault(event.message.tp, []).append(event.message.offset)
        for tp, done in offsets.items():
            consumer.ledger.processed(tp, done)
        if commit:
            await self.commit_now(set(offsets))
        await consumer.reread_unprocessed(offsets)

    async def assigned_highwaters(self, topic: str) -> dict[TP, int | None]:
        """Each partition of ``topic`` assigned to this worker now, with its high watermark (None
        until its first fetch): :meth:`ShortFetchWaitConsumer.assigned_highwaters`."""
        consumer = self.consumer
        assert isinstance(consumer, ShortFetchWaitConsumer)  # noqa: S101 - what _new_consumer builds
        return await consumer.assigned_highwaters(topic)

    def superseded(self, event: EventT[Any]) -> bool:
        """``event`` lies past a record its partition is being read again from, and the agent has
        not had that record yet: it was fetched before the seek and comes again after it."""
        consumer = self.consumer
        assert isinstance(consumer, ShortFetchWaitConsumer)  # noqa: S101 - what _new_consumer builds
        return consumer.superseded(event.message.tp, event.message.offset)

    async def commit_now(self, partitions: Set[TP]) -> bool:
        """Commit ``partitions`` now (acked offsets; the ledger's for its topics); True if a commit was made.

        Faust runs one commit at a time, and a caller who arrives while one runs returns without
        committing: the running one (the timer's) may have read the acks before the caller's. So
        wait until none runs, then commit.
        """
        consumer = self.consumer
        assert isinstance(consumer, ShortFetchWaitConsumer)  # noqa: S101 - what _new_consumer builds
        while await consumer.maybe_wait_for_commit_to_finish():
            pass
        return await consumer.commit(partitions)

    def _new_producer(self) -> IdempotentProducer:
        # Same construction as faust.App._new_producer / Transport.create_producer, another class.
        return IdempotentProducer(self.transport, loop=self.loop, beacon=self.beacon)

    def _new_consumer(self) -> ConsumerT:
        # Same construction as faust.App._new_consumer / Transport.create_consumer, another class.
        consumer = ShortFetchWaitConsumer(
            self.transport,
            callback=self.topics.on_message,
            on_partitions_revoked=self._on_partitions_revoked,
            on_partitions_assigned=self._on_partitions_assigned,
            beacon=self.beacon,
            loop=self.loop,
        )
        consumer.ledger_topics = self.ledger_topics
        return consumer
