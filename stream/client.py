"""Plain aiokafka clients for the command line and tests: produce lines, tail a topic.

Both take the settings object, so they reach a secured cluster the same way the worker does.
"""

from __future__ import annotations

import asyncio
import ssl
import uuid
from collections.abc import AsyncIterator, Sequence
from typing import Any

import orjson
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

from stream.settings import Settings


def client_config(settings: Settings) -> dict[str, Any]:
    """aiokafka keyword arguments for the bootstrap servers and security settings."""
    config: dict[str, Any] = {
        "bootstrap_servers": settings.bootstrap_servers,
        "security_protocol": settings.security_protocol,
    }
    if settings.security_protocol in {"SSL", "SASL_SSL"}:
        context = ssl.create_default_context(cafile=settings.ssl_cafile)
        if settings.ssl_certfile:
            context.load_cert_chain(settings.ssl_certfile, settings.ssl_keyfile)
        config["ssl_context"] = context
    if settings.security_protocol.startswith("SASL"):
        config |= {
            "sasl_mechanism": settings.sasl_mechanism,
            "sasl_plain_username": settings.sasl_username,
            "sasl_plain_password": settings.sasl_password,
        }
    return config


def _key_of(line: bytes) -> bytes | None:
    """The item's id as the record key, when the line is a JSON object with a string id."""
    try:
        value = orjson.loads(line)
    except orjson.JSONDecodeError:
        return None
    item_id = value.get("id") if isinstance(value, dict) else None
    return item_id.encode("utf-8") if isinstance(item_id, str) else None


async def produce_lines(settings: Settings, topic: str, lines: Sequence[bytes]) -> int:
    """Send each line as one record, byte for byte; returns how many the broker acknowledged."""
    producer = AIOKafkaProducer(**client_config(settings), acks="all", enable_idempotence=True)
    await producer.start()
    try:
        futures = [await producer.send(topic, value=line, key=_key_of(line)) for line in lines]
        await asyncio.gather(*futures)
    finally:
        await producer.stop()
    return len(lines)


async def tail(
    settings: Settings,
    topic: str,
    *,
    from_beginning: bool = True,
    max_messages: int | None = None,
    idle_timeout_s: float | None = None,
) -> AsyncIterator[bytes]:
    """Yield a topic's record values; no consumer group, so it never moves anyone's offsets."""
    consumer = AIOKafkaConsumer(
        topic,
        **client_config(settings),
        group_id=None,
        client_id=f"meetwire-tail-{uuid.uuid4().hex[:8]}",
        auto_offset_reset="earliest" if from_beginning else "latest",
        enable_auto_commit=False,
    )
    await consumer.start()
    seen = 0
    try:
        while max_messages is None or seen < max_messages:
            batch = await consumer.getmany(timeout_ms=int((idle_timeout_s or 3600) * 1000))
            if not batch:
                if idle_timeout_s is not None:
                    return
                continue
            for records in batch.values():
                for record in records:
                    yield record.value if record.value is not None else b"null"
                    seen += 1
                    if max_messages is not None and seen >= max_messages:
                        return
    finally:
        await consumer.stop()
