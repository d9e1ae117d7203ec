"""The worker's Kafka producer: Faust's aiokafka producer, always idempotent with ``acks=all``.

faust-streaming 0.15 turns on ``enable_idempotence`` only inside transactions (exactly-once
mode, see ``faust.transport.drivers.aiokafka.Producer._settings_extra``). At-least-once
delivery needs it too: without it, a send that the broker wrote but whose acknowledgement was
lost (broker restart, network blip) is retried and lands twice, and a retried batch can
overtake a later one. With it, the broker drops those retries by producer id and sequence
number. ``MeetwireApp`` is a ``faust.App`` whose producer is this one.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import faust
from faust.transport.drivers.aiokafka import Producer as AIOKafkaDriverProducer

IDEMPOTENT_PRODUCER_SETTINGS: Mapping[str, Any] = {"acks": "all", "enable_idempotence": True}
"""What every producer of the worker is given, in and out of transactions."""


class IdempotentProducer(AIOKafkaDriverProducer):
    """Faust's aiokafka producer with idempotence on whatever the processing guarantee."""

    def _settings_extra(self) -> Mapping[str, Any]:
        return {**super()._settings_extra(), **IDEMPOTENT_PRODUCER_SETTINGS}


class MeetwireApp(faust.App):
    """``faust.App`` whose producer is an :class:`IdempotentProducer`."""

    def _new_producer(self) -> IdempotentProducer:
        # Same construction as faust.App._new_producer / Transport.create_producer, another class.
        return IdempotentProducer(self.transport, loop=self.loop, beacon=self.beacon)
