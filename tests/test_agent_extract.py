"""The extract agent through Faust's ``agent.test_context()``: no broker, sends captured."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import orjson
import pytest
import pytest_asyncio

from agents.extract import extract
from stream.app import app
from stream.topics import deadletter_topic, events_topic

SEED_LIKE = orjson.dumps(
    {
        "id": "agent-1",
        "language": "id",
        "published_at": "2024-03-14",
        "text": "JAKARTA (X) - Menteri Luar Negeri Indonesia Ratna Wulandari bertemu dengan Menteri Luar Negeri "
        "Jepang Kenji Morimoto di Tokyo, Rabu (13/3), untuk membahas kerja sama maritim.",
    }
)


@pytest_asyncio.fixture
async def sent(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[dict[str, list[tuple[bytes, bytes]]]]:
    """Capture what the agent publishes instead of reaching for a broker."""
    captured: dict[str, list[tuple[bytes, bytes]]] = {"events": [], "deadletter": []}

    def recorder(name: str) -> Any:
        async def send(*, key: bytes, value: bytes) -> asyncio.Future[None]:
            captured[name].append((key, value))
            done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
            done.set_result(None)
            return done

        return send

    async def declared() -> None:
        return None

    for topic, name in ((events_topic, "events"), (deadletter_topic, "deadletter")):
        monkeypatch.setattr(topic, "send", recorder(name))
        monkeypatch.setattr(topic, "maybe_declare", declared)
    app.finalize()
    app.flow_control.resume()
    yield captured


async def _drain(agent: Any, values: list[bytes], expect: int, captured: dict[str, list[Any]]) -> None:
    for value in values:
        await agent.put(value)
    for _ in range(200):  # up to ~10 s for the batch to pass through the worker thread
        if sum(len(v) for v in captured.values()) >= expect:
            return
        await asyncio.sleep(0.05)


@pytest.mark.asyncio
@pytest.mark.parametrize(("raw", "reason"), [(b"{not json", "invalid_json"), (b'{"id": 1, "text": "x"}', "wrong_type")])
async def test_agent_extract_dead_letters_bad_records_and_goes_on(
    sent: dict[str, list[tuple[bytes, bytes]]], raw: bytes, reason: str
) -> None:
    async with extract.test_context() as agent:
        await _drain(agent, [raw, SEED_LIKE], expect=2, captured=sent)
    assert [orjson.loads(v)["reason"] for _, v in sent["deadletter"]] == [reason]
    assert len(sent["events"]) >= 1


@pytest.mark.asyncio
@pytest.mark.parametrize("raw", [SEED_LIKE])
async def test_agent_extract_publishes_events_keyed_by_event_id(
    sent: dict[str, list[tuple[bytes, bytes]]], raw: bytes
) -> None:
    async with extract.test_context() as agent:
        await _drain(agent, [raw], expect=1, captured=sent)
    assert sent["events"], "the agent published no event"
    for key, value in sent["events"]:
        event = orjson.loads(value)
        assert key == event["event_id"].encode()
        assert event["item_id"] == "agent-1"
