"""The consumer's seeks reach aiokafka only through the consumer thread (``stream/faust_app.py``).

aiokafka is not thread-safe, and its consumer runs in Faust's consumer thread. A seek made from
the event loop's thread deleted buffered fetches while the consumer thread's fetcher was
iterating over them: a KeyError there reached Faust's fetcher and the worker exited with status 1
(seen in ``test_commit_policy`` after a restart, when re-reads seek many times a second). No
broker here: the consumer thread is a stand-in whose aiokafka consumer refuses calls from any
other thread, as the real one would race.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Awaitable, Callable, Iterator
from concurrent.futures import Future
from typing import Any

import pytest
from aiokafka.errors import IllegalStateError
from faust.types import TP

from stream.faust_app import MeetwireApp, ShortFetchWaitConsumer

RAW = TP("raw", 0)
OTHER = TP("events", 0)
HIGHWATER = 650


class ConsumerThreadStandIn:
    """A thread with its own event loop, like Faust's consumer thread, running ``call_thread``
    calls there; its ``seek`` (aiokafka's) fails when called from any other thread."""

    def __init__(self, *, revoked: bool = False) -> None:
        self.loop = asyncio.new_event_loop()
        self.revoked = revoked
        self.seeks: list[tuple[TP, int]] = []
        self.seek_may_finish = threading.Event()
        """Cleared by a test to hold the seek in the consumer thread, as a busy fetcher would."""
        self.seek_may_finish.set()
        self._thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(10)
        self.loop.close()

    async def call_thread(self, fun: Callable[..., Awaitable[Any]], *args: Any, **kwargs: Any) -> Any:
        done: Future[Any] = asyncio.run_coroutine_threadsafe(fun(*args, **kwargs), self.loop)
        return await asyncio.wrap_future(done)

    def seek(self, partition: TP, offset: int) -> None:
        if threading.current_thread() is not self._thread:
            raise RuntimeError("aiokafka's consumer touched from outside the consumer thread")
        if self.revoked:
            raise IllegalStateError(f"No current assignment for partition {partition}")
        self.seek_may_finish.wait(10)
        self.seeks.append((partition, offset))

    def assignment(self) -> set[TP]:
        return {RAW, OTHER}

    def highwater(self, partition: TP) -> int:
        if threading.current_thread() is not self._thread:
            raise AssertionError("Partition is not assigned")  # what aiokafka says once it was revoked
        return HIGHWATER


@pytest.fixture
def consumer() -> ShortFetchWaitConsumer:
    app = MeetwireApp("meetwire-test-seek", env={}, broker="kafka://127.0.0.1:9")  # never started
    built = app.consumer
    assert isinstance(built, ShortFetchWaitConsumer)
    return built


@pytest.fixture
def stand_in(request: pytest.FixtureRequest) -> Iterator[ConsumerThreadStandIn]:
    thread = ConsumerThreadStandIn(revoked=getattr(request, "param", False))
    yield thread
    thread.stop()


def _owe_a_reread(consumer: ShortFetchWaitConsumer, tp: TP, unread: int) -> None:
    """The ledger saw ``unread`` fetched and a later record processed, but never ``unread``."""
    consumer.ledger.start(tp, unread)
    consumer.ledger.fetched(tp, [unread, unread + 1], fetched_from=unread)
    consumer.ledger.processed(tp, [unread + 1])


@pytest.mark.parametrize("offset", [246])
@pytest.mark.asyncio
async def test_faust_app_seek_runs_in_the_consumer_thread(
    consumer: ShortFetchWaitConsumer, stand_in: ConsumerThreadStandIn, offset: int
) -> None:
    consumer._thread = stand_in  # type: ignore[assignment]  # the stand-in for Faust's consumer thread
    await consumer.seek(RAW, offset)
    assert stand_in.seeks == [(RAW, offset)]


@pytest.mark.parametrize("unread", [246])
@pytest.mark.asyncio
async def test_faust_app_reread_seeks_back_to_the_record_never_processed(
    consumer: ShortFetchWaitConsumer, stand_in: ConsumerThreadStandIn, unread: int
) -> None:
    consumer._thread = stand_in  # type: ignore[assignment]
    consumer.ledger_topics = frozenset({RAW.topic})
    _owe_a_reread(consumer, RAW, unread)
    await consumer.reread_unprocessed([RAW])
    assert stand_in.seeks == [(RAW, unread)]
    assert consumer._read_offset.holds == {RAW: unread}


@pytest.mark.parametrize("unread", [246])
@pytest.mark.asyncio
async def test_faust_app_records_handed_out_during_the_reread_seek_keep_the_reread(
    consumer: ShortFetchWaitConsumer, stand_in: ConsumerThreadStandIn, unread: int
) -> None:
    """While the seek waits for the consumer thread, Faust's drainer goes on handing out records
    fetched before it; none may raise the partition's read offset past the record to re-read, or
    the drainer would drop that record when the seek brings it (and the re-read would wait for a
    retry, while the commit cannot pass it)."""
    consumer._thread = stand_in  # type: ignore[assignment]
    consumer.ledger_topics = frozenset({RAW.topic})
    _owe_a_reread(consumer, RAW, unread)
    stand_in.seek_may_finish.clear()
    reread = asyncio.create_task(consumer.reread_unprocessed([RAW]))
    await asyncio.sleep(0.05)
    consumer._read_offset[RAW] = unread + 2  # the drainer hands out a record fetched before the seek
    # Once the consumer thread has sought, its next fetch may reach the drainer before this task
    # resumes: from now on the record to re-read must pass the drainer's floor.
    floor = consumer._read_offset[RAW]
    stand_in.seek_may_finish.set()
    await reread
    assert floor is not None and floor <= unread
    assert consumer._read_offset[RAW] == unread
    consumer._read_offset[RAW] = unread  # the re-read record itself is handed out
    assert not consumer._read_offset.holds


@pytest.mark.parametrize("stand_in", [True], indirect=True, ids=["revoked-during-the-seek"])
@pytest.mark.asyncio
async def test_faust_app_reread_of_a_partition_revoked_meanwhile_is_left_to_its_next_owner(
    consumer: ShortFetchWaitConsumer, stand_in: ConsumerThreadStandIn
) -> None:
    """A rebalance between the assignment check and the seek must not end the worker: the
    partition's last commit stopped at the record, so whoever reads it next starts there."""
    consumer._thread = stand_in  # type: ignore[assignment]
    consumer.ledger_topics = frozenset({RAW.topic})
    _owe_a_reread(consumer, RAW, 246)
    await consumer.reread_unprocessed([RAW])
    assert not consumer._rereads
    assert not consumer._read_offset.holds
    assert consumer.ledger.committable(RAW) == 246


@pytest.mark.parametrize("topic", [RAW.topic])
@pytest.mark.asyncio
async def test_faust_app_highwaters_are_read_in_the_consumer_thread(
    consumer: ShortFetchWaitConsumer, stand_in: ConsumerThreadStandIn, topic: str
) -> None:
    consumer._thread = stand_in  # type: ignore[assignment]
    assert await consumer.assigned_highwaters(topic) == {RAW: HIGHWATER}
