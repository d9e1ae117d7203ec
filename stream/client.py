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
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.conn import create_conn
from aiokafka.errors import (
    AuthenticationFailedError,
    IllegalSaslStateError,
    KafkaError,
    SaslAuthenticationFailed,
    UnsupportedSaslMechanismError,
)

from stream.errors import BrokerAccessError
from stream.settings import Settings

PRODUCE_MAX_REQUEST_BYTES = 2 * 1_048_576
"""Room for a record at the default ``MEETWIRE_MAX_ITEM_BYTES`` plus overhead (the broker's own limit is ~1 MiB)."""


def client_config(settings: Settings) -> dict[str, Any]:
    """aiokafka keyword arguments for the bootstrap servers and security settings."""
    config: dict[str, Any] = {
        "bootstrap_servers": settings.bootstrap_servers,
        "security_protocol": settings.security_protocol,
    }
    context = settings.ssl_context()
    if context is not None:
        config["ssl_context"] = context
    if settings.security_protocol.startswith("SASL"):
        config |= {
            "sasl_mechanism": settings.sasl_mechanism,
            "sasl_plain_username": settings.sasl_username,
            "sasl_plain_password": settings.sasl_password,
        }
    return config


async def check_broker_access(settings: Settings, *, timeout_s: float = 10.0) -> bool:
    """Connect and authenticate to the bootstrap servers the way the worker will.

    Raises ``BrokerAccessError`` when a broker rejects the credentials or the TLS handshake:
    the worker would otherwise retry for ever with nothing but library warnings in its log.
    Returns False if no broker answered in time (it may be restarting: the worker retries),
    True once one accepted us. Never puts the password in a message.
    """
    config = client_config(settings)
    config.pop("bootstrap_servers")
    for server in settings.bootstrap_servers:
        host, _, port = server.rpartition(":")
        try:
            conn = await asyncio.wait_for(
                create_conn(host, int(port), request_timeout_ms=int(timeout_s * 1000), **config), timeout_s
            )
        except (SaslAuthenticationFailed, AuthenticationFailedError) as exc:
            raise BrokerAccessError(
                f"Kafka at {server} rejected {settings.security_protocol} {settings.sasl_mechanism} login as "
                f"{settings.sasl_username!r}: {exc}; check MEETWIRE_SASL_USERNAME, MEETWIRE_SASL_PASSWORD "
                f"and MEETWIRE_SASL_MECHANISM"
            ) from exc
        except (IllegalSaslStateError, UnsupportedSaslMechanismError) as exc:
            # The broker answered but will not run this SASL handshake: a listener without SASL
            # (PLAINTEXT, SSL) or without this mechanism. Retrying cannot help.
            raise BrokerAccessError(
                f"Kafka at {server} does not take a {settings.sasl_mechanism} login on this listener "
                f"({type(exc).__name__}); check MEETWIRE_SECURITY_PROTOCOL (now {settings.security_protocol}) "
                f"and MEETWIRE_SASL_MECHANISM"
            ) from exc
        except ssl.SSLError as exc:
            raise BrokerAccessError(
                f"TLS handshake with Kafka at {server} failed: {exc}; check MEETWIRE_SSL_CAFILE, "
                f"MEETWIRE_SSL_CERTFILE and MEETWIRE_SSL_KEYFILE"
            ) from exc
        except (OSError, TimeoutError, KafkaError):
            continue
        await asyncio.wait_for(conn.close(), timeout_s)  # the socket closes a moment after the transport
        return True
    return False


def record_key(line: bytes) -> bytes | None:
    """The item's id as the record key, when the line is a JSON object with a string id."""
    try:
        value = orjson.loads(line)
    except orjson.JSONDecodeError:
        return None
    item_id = value.get("id") if isinstance(value, dict) else None
    return item_id.encode("utf-8") if isinstance(item_id, str) else None


async def create_topics(settings: Settings, names: Sequence[str], *, partitions: int) -> None:
    """Create ``names`` with ``partitions`` partitions each (replication 1: the local broker)."""
    admin = AIOKafkaAdminClient(**client_config(settings))
    await admin.start()
    try:
        await admin.create_topics([NewTopic(name, num_partitions=partitions, replication_factor=1) for name in names])
    finally:
        await admin.close()


async def produce_lines(settings: Settings, topic: str, lines: Sequence[bytes]) -> int:
    """Send each line as one record, byte for byte, keyed by its item id; returns how many were acknowledged."""
    return await produce_records(settings, topic, [(record_key(line), line) for line in lines])


async def produce_records(settings: Settings, topic: str, records: Sequence[tuple[bytes | None, bytes | None]]) -> int:
    """Send ``(key, value)`` records in order (a ``None`` value is a tombstone); returns how many were acknowledged.

    Idempotent with ``acks=all``, so a retried send never lands twice.
    """
    producer = AIOKafkaProducer(
        **client_config(settings), acks="all", enable_idempotence=True, max_request_size=PRODUCE_MAX_REQUEST_BYTES
    )
    await producer.start()
    try:
        futures = [await producer.send(topic, value=value, key=key) for key, value in records]
        await asyncio.gather(*futures)
    finally:
        await producer.stop()
    return len(records)


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
