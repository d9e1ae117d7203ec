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

**Commits on demand.** :meth:`MeetwireApp.commit_now` commits acked offsets when the caller
says (after a published batch), not only on Faust's timer.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Set
from typing import Any

import aiokafka
import faust
from faust.transport.drivers.aiokafka import AIOKafkaConsumerThread
from faust.transport.drivers.aiokafka import Consumer as AIOKafkaDriverConsumer
from faust.transport.drivers.aiokafka import Producer as AIOKafkaDriverProducer
from faust.transport.drivers.aiokafka import Transport as AIOKafkaTransport
from faust.types import TP, ConsumerT
from mode import ServiceT

from stream import log_throttle
from stream.health import HttpServer

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


class ShortFetchWaitConsumer(AIOKafkaDriverConsumer):
    """Faust's aiokafka consumer, run by a :class:`ShortFetchWaitConsumerThread`."""

    def _new_consumer_thread(self) -> ShortFetchWaitConsumerThread:
        return ShortFetchWaitConsumerThread(self, loop=self.loop, beacon=self.beacon)


class MeetwireApp(faust.App):
    """``faust.App`` with an :class:`IdempotentProducer`, a :class:`ShortFetchWaitConsumer`, and
    meetwire's own :class:`~stream.health.HttpServer` in place of Faust's web server."""

    http_server: HttpServer | None = None

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

    async def commit_now(self, partitions: Set[TP]) -> bool:
        """Commit the acked offsets of ``partitions`` now; True if a commit was made.

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
        return ShortFetchWaitConsumer(
            self.transport,
            callback=self.topics.on_message,
            on_partitions_revoked=self._on_partitions_revoked,
            on_partitions_assigned=self._on_partitions_assigned,
            beacon=self.beacon,
            loop=self.loop,
        )
