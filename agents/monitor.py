"""Timers that sample what no single batch can see: consumer lag on every assigned partition
(including idle ones and those the worker has fallen behind on) and event-loop lag."""

from __future__ import annotations

import asyncio
import logging

from aiokafka.errors import KafkaError

from stream.app import app, metrics, settings
from stream.metrics import PartitionKey

log = logging.getLogger(__name__)

CONSUMER_LAG_INTERVAL_S = 5.0
EVENT_LOOP_LAG_INTERVAL_S = 1.0


@app.timer(interval=CONSUMER_LAG_INTERVAL_S)  # type: ignore[untyped-decorator]  # faust's timer is untyped
async def sample_consumer_lag() -> None:
    """High watermark minus processed position, for every raw-topic partition assigned to this worker."""
    highwaters: dict[PartitionKey, int] = {}
    fetch_positions: dict[PartitionKey, int] = {}
    try:
        # Read in the consumer thread: from here, a partition revoked between the assignment and
        # its high watermark would fail aiokafka's assertion, and this timer's error end the worker.
        for tp, highwater in (await app.assigned_highwaters(settings.topic_raw)).items():
            if highwater is None:  # nothing fetched from it yet
                continue
            key = PartitionKey(tp.topic, tp.partition)
            highwaters[key] = highwater
            if key not in metrics.progress.next_offset:
                position = await app.consumer.position(tp)
                if position is not None:
                    fetch_positions[key] = position
    except KafkaError as exc:  # a rebalance in progress; the next tick sees the new assignment
        log.debug("consumer lag not sampled: %r", exc)
        return
    metrics.update_lag(highwaters, fetch_positions)


@app.timer(interval=EVENT_LOOP_LAG_INTERVAL_S)  # type: ignore[untyped-decorator]  # faust's timer is untyped
async def sample_event_loop_lag() -> None:
    """How long a callback that is ready to run waits for the loop: CPU work on the loop shows here."""
    loop = asyncio.get_running_loop()
    started = loop.time()
    await asyncio.sleep(0)
    metrics.event_loop_lag.set(loop.time() - started)
