"""``meetwire replay-deadletters``: after a fix, dead letters go through the worker again, once."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path

import orjson
import pytest

from stream.client import produce_lines, tail
from stream.replay import payload_truncated, read_dead_letter
from stream.settings import Settings
from tests.conftest import SHARED_EVAL, free_port
from tests.worker_process import collect, running_worker, worker_env

RESULT_TIMEOUT_S = 90.0
CLI_TIMEOUT_S = 120.0
READ_IDLE_S = 3.0
TOO_SMALL_LIMIT = 200  # bytes: the seed article does not fit, so it is dead-lettered as too_large


def _seed_line() -> bytes:
    item = orjson.loads(SHARED_EVAL.read_bytes().splitlines()[0])
    return orjson.dumps({k: item[k] for k in ("id", "text", "language", "published_at")})


def _replay(env: dict[str, str], *args: str) -> dict[str, object]:
    done = subprocess.run(
        [sys.executable, "-m", "stream.cli", "replay-deadletters", *args],
        env={**os.environ, **env},
        capture_output=True,
        timeout=CLI_TIMEOUT_S,
        check=False,
    )
    assert done.returncode == 0, done.stderr.decode(errors="replace")[-3000:]
    summary: dict[str, object] = orjson.loads(done.stdout.splitlines()[-1])
    return summary


@pytest.mark.integration
@pytest.mark.parametrize("bad", [b"{not json"])
def test_replay_resends_fixed_dead_letters_once(kafka_bootstrap: str, unique: str, tmp_path: Path, bad: bytes) -> None:
    env = worker_env(kafka_bootstrap, unique, free_port(), MEETWIRE_MAX_ITEM_BYTES=str(TOO_SMALL_LIMIT))
    settings = Settings.from_env(env)
    with running_worker(env, tmp_path / "worker-before.log"):
        asyncio.run(produce_lines(settings, settings.topic_raw, [_seed_line(), bad]))
        letters = collect(settings, settings.topic_deadletter, until=2, timeout_s=RESULT_TIMEOUT_S)
    assert sorted(str(d["reason"]) for d in letters) == ["invalid_json", "too_large"]

    fixed = {**env, "MEETWIRE_MAX_ITEM_BYTES": "1048576"}  # the fix: a limit the article fits in
    assert _replay(fixed, "--reason", "too_large", "--dry-run") == {
        "replayed": {"too_large": 1},
        "skipped": {"invalid_json": 1},
        "truncated": {},
        "unreadable": 0,
    }
    assert _replay(fixed, "--reason", "too_large")["replayed"] == {"too_large": 1}
    assert _replay(fixed, "--reason", "too_large")["replayed"] == {}  # progress is kept: never twice

    with running_worker(fixed, tmp_path / "worker-after.log") as worker:
        events = collect(settings, settings.topic_events, until=1, timeout_s=RESULT_TIMEOUT_S)
        assert events, worker.log_tail()
    assert events[0]["item_id"] == "antara-seed-0001"
    raw = asyncio.run(_read_all(settings, settings.topic_raw))
    assert raw == [_seed_line(), bad, _seed_line()]  # the originals, then the replayed one byte for byte


@pytest.mark.integration
def test_replay_leaves_truncated_dead_letters_alone(kafka_bootstrap: str, unique: str) -> None:
    env = worker_env(kafka_bootstrap, unique, free_port())
    settings = Settings.from_env(env)
    whole = {"reason": "too_large", "detail": "d", "payload_b64": "eyJ9", "key": "a"}
    prefix = {**whole, "key": "b", "payload_truncated": True, "payload_bytes": 3_000_000, "payload_sha256": "0" * 64}
    asyncio.run(produce_lines(settings, settings.topic_deadletter, [orjson.dumps(whole), orjson.dumps(prefix)]))
    assert _replay(env, "--reason", "too_large") == {
        "replayed": {"too_large": 1},
        "skipped": {},
        "truncated": {"too_large": 1},
        "unreadable": 0,
    }
    assert asyncio.run(_read_all(settings, settings.topic_raw)) == [b'{"}']  # the whole one only


async def _read_all(settings: Settings, topic: str) -> list[bytes]:
    return [value async for value in tail(settings, topic, idle_timeout_s=READ_IDLE_S)]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (b'{"reason": "too_large", "payload_b64": "eyJ9", "key": "k"}', ("too_large", b"k", b'{"}')),
        (b'{"reason": "empty_value", "payload_b64": "", "key": null}', ("empty_value", None, b"")),
        (b"not a dead letter", None),
        (b'{"reason": "x", "payload_b64": "***"}', None),
        (b'{"payload_b64": "eyJ9"}', None),
        (None, None),
    ],
)
def test_replay_reads_only_real_dead_letters(
    value: bytes | None, expected: tuple[str, bytes | None, bytes] | None
) -> None:
    assert read_dead_letter(value) == expected


@pytest.mark.parametrize(
    ("value", "truncated"),
    [
        (b'{"reason": "too_large", "payload_b64": "eyJ9", "payload_truncated": true, "payload_bytes": 9}', True),
        (b'{"reason": "too_large", "payload_b64": "eyJ9", "payload_truncated": false}', False),
        (b'{"reason": "too_large", "payload_b64": "eyJ9"}', False),
        (b"not json", False),
        (None, False),
    ],
)
def test_replay_never_resends_a_truncated_payload(value: bytes | None, truncated: bool) -> None:
    assert payload_truncated(value) is truncated
