"""Test helpers around the worker harness (``stream/devtools/worker_process.py``, which the
benchmark uses too): settings of their own for each test, and reading a topic back."""

from __future__ import annotations

import asyncio
from contextlib import suppress

import orjson

from stream.client import tail
from stream.devtools.worker_process import WorkerProcess, running_worker, stop_worker, wait_ready
from stream.settings import Settings

__all__ = ["WorkerProcess", "collect", "running_worker", "stop_worker", "wait_ready", "worker_env"]


def worker_env(bootstrap: str, suffix: str, web_port: int, **extra: str) -> dict[str, str]:
    """Unique app id and topics, so tests never see each other's records."""
    env = {
        "MEETWIRE_BROKER": f"kafka://{bootstrap}",
        "MEETWIRE_APP_ID": f"meetwire-test-{suffix}",
        "MEETWIRE_TOPIC_RAW": f"test.{suffix}.raw",
        "MEETWIRE_TOPIC_EVENTS": f"test.{suffix}.events",
        "MEETWIRE_TOPIC_DEADLETTER": f"test.{suffix}.deadletter",
        "MEETWIRE_TOPIC_CANONICAL": f"test.{suffix}.canonical",
        "MEETWIRE_WEB_PORT": str(web_port),
        "MEETWIRE_LOG_LEVEL": "INFO",
    }
    env.update(extra)
    return env


def collect(settings: Settings, topic: str, *, until: int, timeout_s: float) -> list[dict[str, object]]:
    """Read a topic from the start until ``until`` records arrived or ``timeout_s`` passed."""

    async def run() -> list[dict[str, object]]:
        out: list[dict[str, object]] = []

        async def read() -> None:
            async for value in tail(settings, topic, max_messages=until):
                out.append(orjson.loads(value))

        with suppress(TimeoutError):
            await asyncio.wait_for(read(), timeout_s)
        return out

    return asyncio.run(run())
