"""Tests for the local Kafka launcher (stream/devtools/kafka_local.py).

The integration test starts a real broker, so it needs Java and either a
populated jar cache or Maven plus network for the first run.
"""

from __future__ import annotations

import asyncio
import socket
import uuid
from pathlib import Path

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient, NewTopic

from stream.devtools import kafka_local
from stream.devtools.kafka_local import PortInUseError, broker_properties
from tests.optional_tools import requires_tool

START_TIMEOUT_S = 180.0  # a cold first run also downloads ~40 MB of jars
STOP_TIMEOUT_S = 30.0
IO_TIMEOUT_S = 30.0

requires_java = requires_tool("java")


def test_broker_properties_single_node_kraft(tmp_path: Path) -> None:
    props = broker_properties(host="127.0.0.1", port=9092, controller_port=9093, log_dir=tmp_path)

    assert props["process.roles"] == "broker,controller"
    assert props["node.id"] == "1"
    assert props["controller.quorum.voters"] == "1@127.0.0.1:9093"
    assert props["listeners"] == "PLAINTEXT://127.0.0.1:9092,CONTROLLER://127.0.0.1:9093"
    assert props["advertised.listeners"] == "PLAINTEXT://127.0.0.1:9092"
    assert props["controller.listener.names"] == "CONTROLLER"
    assert props["log.dirs"] == str(tmp_path)
    for key in (
        "offsets.topic.replication.factor",
        "transaction.state.log.replication.factor",
        "transaction.state.log.min.isr",
        "num.partitions",
    ):
        assert props[key] == "1", key
    assert props["group.initial.rebalance.delay.ms"] == "0"
    assert props["auto.create.topics.enable"] == "true"
    assert props["log.cleaner.dedupe.buffer.size"] == "2097152"


def test_broker_properties_extra_config_is_merged_last(tmp_path: Path) -> None:
    sasl = {
        "listeners": "PLAINTEXT://127.0.0.1:1,CONTROLLER://127.0.0.1:2,SASL_PLAINTEXT://127.0.0.1:3",
        "listener.security.protocol.map": "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT,SASL_PLAINTEXT:SASL_PLAINTEXT",
        "sasl.enabled.mechanisms": "PLAIN",
    }
    props = broker_properties(host="127.0.0.1", port=1, controller_port=2, log_dir=tmp_path, extra=sasl)

    assert {k: props[k] for k in sasl} == sasl
    assert props["advertised.listeners"] == "PLAINTEXT://127.0.0.1:1"


@requires_java
def test_taken_port_is_a_clear_error(tmp_path: Path) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as squatter:
        squatter.bind(("127.0.0.1", 0))
        squatter.listen()
        port = squatter.getsockname()[1]

        with pytest.raises(PortInUseError, match=f"127.0.0.1:{port} is already in use"):
            kafka_local.start(port=port, data_dir=tmp_path / "kafka")

    assert kafka_local.status(tmp_path / "kafka") is None


@pytest.mark.integration
@requires_java
def test_broker_survives_restart_with_data(tmp_path: Path) -> None:
    data_dir = tmp_path / "kafka"
    topic = f"kafka-local-{uuid.uuid4().hex[:8]}"
    group = "kafka-local-test"
    try:
        broker = kafka_local.start(data_dir=data_dir, timeout_s=START_TIMEOUT_S)
        assert kafka_local.status(data_dir) == broker
        assert (data_dir / "bootstrap").read_text().strip() == broker.bootstrap

        asyncio.run(_create_topic(broker.bootstrap, topic))
        asyncio.run(_produce(broker.bootstrap, topic, b"hello"))
        assert asyncio.run(_consume(broker.bootstrap, topic, group=group)) == [b"hello"]

        assert kafka_local.stop(data_dir, timeout_s=STOP_TIMEOUT_S)
        assert kafka_local.status(data_dir) is None
        assert not kafka_local.stop(data_dir, timeout_s=STOP_TIMEOUT_S)

        again = kafka_local.start(data_dir=data_dir, timeout_s=START_TIMEOUT_S)
        assert (again.bootstrap, again.port) == (broker.bootstrap, broker.port)
        assert again.pid != broker.pid
        # Both the log and the committed group offset survived the restart.
        assert asyncio.run(_consume(again.bootstrap, topic, group=None)) == [b"hello"]
        assert asyncio.run(_committed(again.bootstrap, topic, group)) == 1
    finally:
        kafka_local.stop(data_dir, timeout_s=STOP_TIMEOUT_S)
    assert kafka_local.status(data_dir) is None


async def _create_topic(bootstrap: str, topic: str) -> None:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    async with asyncio.timeout(IO_TIMEOUT_S):
        await admin.start()
        try:
            await admin.create_topics([NewTopic(topic, num_partitions=1, replication_factor=1)])
        finally:
            await admin.close()


async def _produce(bootstrap: str, topic: str, value: bytes) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all")
    async with asyncio.timeout(IO_TIMEOUT_S):
        await producer.start()
        try:
            await producer.send_and_wait(topic, value)
        finally:
            await producer.stop()


async def _consume(bootstrap: str, topic: str, *, group: str | None) -> list[bytes]:
    """Read the topic from the start until one message arrives; commit if grouped."""
    consumer = AIOKafkaConsumer(
        topic,
        bootstrap_servers=bootstrap,
        group_id=group,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
    )
    async with asyncio.timeout(IO_TIMEOUT_S):
        await consumer.start()
        try:
            while True:
                batches = await consumer.getmany(timeout_ms=500)
                values = [msg.value for msgs in batches.values() for msg in msgs]
                if values:
                    if group is not None:
                        await consumer.commit()
                    return values
        finally:
            await consumer.stop()


async def _committed(bootstrap: str, topic: str, group: str) -> int:
    """Committed offset of partition 0, waiting out the coordinator's reload."""
    tp = TopicPartition(topic, 0)
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    async with asyncio.timeout(IO_TIMEOUT_S):
        await admin.start()
        try:
            while True:
                # aiokafka turns COORDINATOR_LOAD_IN_PROGRESS into an empty answer.
                offsets = await admin.list_consumer_group_offsets(group)
                if tp in offsets:
                    return int(offsets[tp].offset)
                await asyncio.sleep(0.2)
        finally:
            await admin.close()
