"""Records compressed with every standard Kafka codec reach the extractor: a real producer
compresses, the real broker stores the compressed batch, the real worker decodes it.

Java and librdkafka producers often default to lz4, snappy or zstd; without aiokafka's codec
extras (cramjam) the consumer raises ``UnsupportedCodecError`` on such a batch and the worker
dies on every restart.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
from pathlib import Path

import orjson
import pytest
from aiokafka import AIOKafkaProducer

from stream.client import client_config
from stream.schemas import load_validator
from stream.settings import Settings
from tests.conftest import SHARED_EVAL, free_port
from tests.worker_process import collect, running_worker, worker_env

CODECS = ("none", "gzip", "snappy", "lz4", "zstd")
RESULT_TIMEOUT_S = 120.0
PRODUCER_MAX_REQUEST_BYTES = 8 * 1_048_576
"""aiokafka checks the uncompressed size; the broker sees the compressed batch, well under its limit."""

pytestmark = pytest.mark.integration


def _seed_item(item_id: str) -> bytes:
    item = orjson.loads(SHARED_EVAL.read_bytes().splitlines()[0])
    wire = {k: item[k] for k in ("text", "source", "url", "language", "title", "published_at")}
    return orjson.dumps({"id": item_id, **wire})


async def _produce_compressed(settings: Settings, records: list[tuple[str, bytes]]) -> None:
    """Each ``(codec, value)`` sent by a producer compressing with that codec."""
    for codec, value in records:
        producer = AIOKafkaProducer(
            **client_config(settings),
            acks="all",
            compression_type=None if codec == "none" else codec,
            max_request_size=PRODUCER_MAX_REQUEST_BYTES,
        )
        await producer.start()
        try:
            await producer.send_and_wait(settings.topic_raw, value=value, key=codec.encode())
        finally:
            await producer.stop()


@pytest.mark.parametrize("codecs", [CODECS])
def test_compression_every_codec_gives_its_event(
    kafka_bootstrap: str, unique: str, tmp_path: Path, codecs: tuple[str, ...]
) -> None:
    env = worker_env(kafka_bootstrap, unique, free_port())
    settings = Settings.from_env(env)
    asyncio.run(_produce_compressed(settings, [(codec, _seed_item(f"codec-{codec}")) for codec in codecs]))
    with running_worker(env, tmp_path / "worker.log") as worker:
        events = collect(settings, settings.topic_events, until=len(codecs), timeout_s=RESULT_TIMEOUT_S)
        letters = collect(settings, settings.topic_deadletter, until=1, timeout_s=1.0)
        alive = worker.process.poll() is None
        log_tail = worker.log_tail()

    assert alive, log_tail
    assert letters == []
    assert sorted(str(e["item_id"]) for e in events) == sorted(f"codec-{codec}" for codec in codecs), log_tail


@pytest.mark.parametrize(("item_bytes", "codec"), [(2_000_000, "gzip")])
def test_compression_too_large_item_is_dead_lettered_and_the_worker_goes_on(
    kafka_bootstrap: str, unique: str, tmp_path: Path, item_bytes: int, codec: str
) -> None:
    """Over MEETWIRE_MAX_ITEM_BYTES once decompressed, and its whole payload in base64 would not fit
    in a record either: the dead letter carries a prefix, and the next item is processed."""
    env = worker_env(kafka_bootstrap, unique, free_port())
    settings = Settings.from_env(env)
    sentence = "Para menteri membahas kerja sama ekonomi dan perdagangan di Jakarta. "
    big = orjson.dumps({"id": "big-1", "text": sentence * (item_bytes // len(sentence))})
    assert len(big) > settings.max_item_bytes
    asyncio.run(_produce_compressed(settings, [(codec, big), (codec, _seed_item("after-big"))]))
    with running_worker(env, tmp_path / "worker.log") as worker:
        events = collect(settings, settings.topic_events, until=1, timeout_s=RESULT_TIMEOUT_S)
        letters = collect(settings, settings.topic_deadletter, until=1, timeout_s=RESULT_TIMEOUT_S)
        alive = worker.process.poll() is None
        log_tail = worker.log_tail()

    assert alive, log_tail
    assert [e["item_id"] for e in events] == ["after-big"], log_tail
    [letter] = letters
    load_validator("dead_letter").validate(letter)
    assert letter["reason"] == "too_large"
    assert letter["offset"] == 0
    assert letter["payload_truncated"] is True
    assert letter["payload_bytes"] == len(big)
    assert letter["payload_sha256"] == hashlib.sha256(big).hexdigest()
    assert big.startswith(base64.b64decode(str(letter["payload_b64"])))
