"""Shared fixtures: the real local Kafka broker and the extractor, each made once per session.

Integration tests talk to a real Apache Kafka. ``.ci/run`` starts one with ``meetwire kafka
up`` and passes it in ``MEETWIRE_TEST_BROKER``; without it, the session starts its own in a
temporary directory and stops it at the end.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from stream.devtools import kafka_local
from stream.devtools.worker_process import free_port  # noqa: F401 - the tests import it from here
from stream.extract import MeetingExtractor, load_extractor

SHARED_EVAL = Path(__file__).resolve().parents[2] / "shared" / "eval" / "dev.jsonl"


@pytest.fixture(scope="session")
def kafka_bootstrap(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """``host:port`` of a running broker."""
    given = os.environ.get("MEETWIRE_TEST_BROKER")
    if given:
        yield given.removeprefix("kafka://")
        return
    data_dir = tmp_path_factory.mktemp("kafka")
    broker = kafka_local.start(data_dir=data_dir)
    try:
        yield broker.bootstrap
    finally:
        kafka_local.stop(data_dir)


@pytest.fixture(scope="session")
def extractor() -> MeetingExtractor:
    return load_extractor()


@pytest.fixture
def unique() -> str:
    """A suffix that keeps one test's topics and consumer group apart from every other's."""
    return uuid.uuid4().hex[:10]
