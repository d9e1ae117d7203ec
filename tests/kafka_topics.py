"""Create a test's topics before its worker starts, with the partitions the test needs.

The worker creates its raw topic itself with ``MEETWIRE_TOPIC_PARTITIONS`` partitions; a test
that must know the layout (e.g. lag reported for an idle partition) makes it explicitly first.
"""

from __future__ import annotations

from aiokafka.admin import AIOKafkaAdminClient, NewTopic

from stream.client import client_config
from stream.settings import Settings


async def create_topic(settings: Settings, topic: str, partitions: int = 1) -> None:
    admin = AIOKafkaAdminClient(**client_config(settings))
    await admin.start()
    try:
        await admin.create_topics([NewTopic(topic, num_partitions=partitions, replication_factor=1)])
    finally:
        await admin.close()
