"""Worker logs: JSON lines when asked, one line per dead letter with topic[partition]@offset,
nothing per successful item."""

from __future__ import annotations

import asyncio
import io
import logging
import sys
from collections.abc import Iterator
from pathlib import Path

import orjson
import pytest
from mode.utils.logging import setup_logging

from stream.client import produce_lines
from stream.logs import JsonFormatter, logging_config
from stream.settings import Settings
from tests.conftest import SHARED_EVAL, free_port
from tests.worker_process import collect, running_worker, stop_worker, worker_env

RESULT_TIMEOUT_S = 120.0


def _record(message: str, *args: object, **extra: object) -> logging.LogRecord:
    record = logging.LogRecord("stream.process", logging.WARNING, __file__, 1, message, args, None)
    for key, value in extra.items():
        setattr(record, key, value)
    return record


@pytest.fixture
def restore_logging() -> Iterator[None]:
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    try:
        yield
    finally:
        root.handlers[:] = handlers
        root.setLevel(level)


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        ({}, {}),
        ({"topic": "wire.raw", "partition": 0, "offset": 41, "reason": "invalid_json"},
         {"topic": "wire.raw", "partition": 0, "offset": 41, "reason": "invalid_json"}),
    ],
)  # fmt: skip
def test_logs_json_formatter_one_object_with_extra_fields(
    extra: dict[str, object], expected: dict[str, object]
) -> None:
    line = JsonFormatter().format(_record("dead letter %s[%s]@%s", "wire.raw", 0, 41, **extra))
    assert "\n" not in line
    out = orjson.loads(line)
    assert out["message"] == "dead letter wire.raw[0]@41"
    assert out["level"] == "WARNING"
    assert out["logger"] == "stream.process"
    assert out["ts"].endswith("+00:00")
    assert {k: out[k] for k in expected} == expected
    assert set(out) == {"ts", "level", "logger", "message", *expected}


@pytest.mark.parametrize("exc_type", [ValueError, KeyError])
def test_logs_json_formatter_keeps_the_traceback(exc_type: type[Exception]) -> None:
    try:
        raise exc_type("boom")
    except exc_type:
        record = logging.LogRecord("x", logging.ERROR, __file__, 1, "failed", None, sys.exc_info())
    out = orjson.loads(JsonFormatter().format(record))
    assert exc_type.__name__ in out["exc"]
    assert "Traceback" in out["exc"]


@pytest.mark.parametrize(("log_json", "is_none"), [("false", True), ("true", False)])
def test_logs_config_only_when_json_is_on(log_json: str, is_none: bool) -> None:
    config = logging_config(Settings.from_env({"MEETWIRE_LOG_JSON": log_json}))
    assert (config is None) is is_none


@pytest.mark.parametrize("loglevel", ["INFO", "WARNING"])
def test_logs_config_works_with_fausts_setup_and_keeps_its_level(
    restore_logging: None, monkeypatch: pytest.MonkeyPatch, loglevel: str
) -> None:
    stdout = io.StringIO()
    monkeypatch.setattr(sys, "stdout", stdout)
    config = logging_config(Settings.from_env({"MEETWIRE_LOG_JSON": "true"}))
    assert config is not None
    setup_logging(loglevel=loglevel, logging_config=dict(config))  # what the Faust worker does
    logging.getLogger("stream.test").info("an info line")
    logging.getLogger("stream.test").warning("a warning line", extra={"offset": 7})
    lines = [orjson.loads(line) for line in stdout.getvalue().splitlines()]
    expected = (["an info line"] if loglevel == "INFO" else []) + ["a warning line"]
    assert [line["message"] for line in lines] == expected
    assert lines[-1]["offset"] == 7


def _seed_line() -> bytes:
    item = orjson.loads(SHARED_EVAL.read_bytes().splitlines()[0])
    return orjson.dumps({k: item[k] for k in ("id", "text", "source", "url", "language", "title", "published_at")})


@pytest.mark.integration
@pytest.mark.parametrize("bad", [[b'{"id": "broken", "text": "unterminated', b'{"id": 7, "text": "x"}']])
def test_logs_worker_one_json_line_per_dead_letter_none_per_item(
    kafka_bootstrap: str, unique: str, tmp_path: Path, bad: list[bytes]
) -> None:
    env = worker_env(kafka_bootstrap, unique, free_port(), MEETWIRE_LOG_JSON="true")
    settings = Settings.from_env(env)
    log_path = tmp_path / "worker.log"
    seed = _seed_line()
    item_id = orjson.loads(seed)["id"]
    with running_worker(env, log_path) as worker:
        asyncio.run(produce_lines(settings, settings.topic_raw, [seed, *bad]))
        letters = collect(settings, settings.topic_deadletter, until=len(bad), timeout_s=RESULT_TIMEOUT_S)
        events = collect(settings, settings.topic_events, until=1, timeout_s=RESULT_TIMEOUT_S)
        stop_worker(worker)
    assert len(letters) == len(bad), worker.log_tail()
    assert events, worker.log_tail()

    text = log_path.read_text(errors="replace")
    # Faust prints its start-up banner as plain text; every log record is a JSON line.
    records = [orjson.loads(line) for line in text.splitlines() if line.startswith("{")]
    assert len(records) > 10
    dead = [r for r in records if r["message"].startswith("dead letter")]
    where = sorted(f"{letter['topic']}[{letter['partition']}]@{letter['offset']}" for letter in letters)
    assert sorted(r["message"].split()[2].rstrip(":") for r in dead) == where
    assert all(r["level"] == "WARNING" for r in dead)
    assert not [line for line in text.splitlines() if item_id in line], "a successful item was logged"
