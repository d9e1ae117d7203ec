"""The command line's client commands: they find the local broker `meetwire kafka up` recorded,
an explicit MEETWIRE_BROKER wins, and with no broker they say so in one line naming the setting.

Each command runs as a subprocess in its own temporary folder, so the record it reads
(``.cache/kafka-bootstrap`` there) is the test's own.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from stream.local_broker import RECORD_PATH, forget, record, recorded, with_local_broker
from tests.conftest import free_port
from tests.optional_tools import requires_tool

MEETWIRE = [sys.executable, "-m", "stream.cli"]
COMMAND_TIMEOUT_S = 60
KAFKA_UP_TIMEOUT_S = 300
EXIT_BROKER_UNAVAILABLE = 69


def _env(**settings: str) -> dict[str, str]:
    """The test process's environment without any MEETWIRE_ setting, plus ``settings``."""
    return {k: v for k, v in os.environ.items() if not k.startswith("MEETWIRE_")} | settings


def _meetwire(
    cwd: Path, *argv: str, env: dict[str, str], stdin: bytes = b"", timeout_s: float = COMMAND_TIMEOUT_S
) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [*MEETWIRE, *argv], cwd=cwd, env=env, input=stdin, capture_output=True, timeout=timeout_s, check=False
    )


def _closed_address() -> str:
    return f"127.0.0.1:{free_port()}"  # bound, then released: nothing listens there


@pytest.mark.parametrize(
    ("argv", "stdin"),
    [
        (["tail", "meetings.events", "--idle-timeout", "5"], b""),
        (["produce", "-"], b'{"id": "a-1", "text": "x"}\n'),
        (["replay-deadletters", "--dry-run"], b""),
    ],
)
def test_cli_without_a_broker_prints_one_line_naming_the_setting(argv: list[str], stdin: bytes, tmp_path: Path) -> None:
    address = _closed_address()
    done = _meetwire(tmp_path, *argv, env=_env(MEETWIRE_BROKER=address), stdin=stdin)
    stderr = done.stderr.decode()
    assert done.returncode == EXIT_BROKER_UNAVAILABLE, stderr
    assert len(stderr.splitlines()) == 1, stderr
    assert "MEETWIRE_BROKER" in stderr
    assert address in stderr
    assert "Traceback" not in stderr
    assert "Unclosed" not in stderr
    assert done.stdout == b""


@pytest.mark.parametrize("argv", [["tail", "meetings.events", "--idle-timeout", "5"]])
def test_cli_uses_the_recorded_broker_when_the_setting_is_unset(argv: list[str], tmp_path: Path) -> None:
    address = _closed_address()
    record(address, tmp_path / RECORD_PATH)
    done = _meetwire(tmp_path, *argv, env=_env())
    stderr = done.stderr.decode()
    assert done.returncode == EXIT_BROKER_UNAVAILABLE, stderr
    assert address in stderr, "the recorded address, not the default, was tried"


@pytest.mark.integration
@pytest.mark.parametrize("line", [b'{"id": "cli-1", "text": "Menteri bertemu."}'])
def test_cli_produce_and_tail_reach_the_recorded_broker(
    kafka_bootstrap: str, unique: str, tmp_path: Path, line: bytes
) -> None:
    topic = f"cli-recorded-{unique}"
    record(kafka_bootstrap, tmp_path / RECORD_PATH)
    sent = _meetwire(tmp_path, "produce", "-", "--topic", topic, env=_env(), stdin=line + b"\n")
    assert sent.returncode == 0, sent.stderr.decode()
    got = _meetwire(tmp_path, "tail", topic, "--max-messages", "1", "--idle-timeout", "30", env=_env())
    assert got.returncode == 0, got.stderr.decode()
    assert got.stdout == line + b"\n"


@pytest.mark.integration
@pytest.mark.parametrize("line", [b'{"id": "cli-2", "text": "Menteri bertemu."}'])
def test_cli_an_explicit_broker_setting_wins_over_the_record(
    kafka_bootstrap: str, unique: str, tmp_path: Path, line: bytes
) -> None:
    topic = f"cli-explicit-{unique}"
    record(_closed_address(), tmp_path / RECORD_PATH)
    env = _env(MEETWIRE_BROKER=f"kafka://{kafka_bootstrap}")
    sent = _meetwire(tmp_path, "produce", "-", "--topic", topic, env=env, stdin=line + b"\n")
    assert sent.returncode == 0, sent.stderr.decode()
    got = _meetwire(tmp_path, "tail", topic, "--max-messages", "1", "--idle-timeout", "30", env=env)
    assert got.stdout == line + b"\n", got.stderr.decode()


@pytest.mark.integration
@pytest.mark.slow
@requires_tool("java")
@pytest.mark.parametrize("data_dir_name", ["kafka"])
def test_cli_kafka_up_records_the_broker_and_down_forgets_it(data_dir_name: str, tmp_path: Path) -> None:
    data_dir = tmp_path / data_dir_name
    try:
        up = _meetwire(tmp_path, "kafka", "up", "--data-dir", str(data_dir), env=_env(), timeout_s=KAFKA_UP_TIMEOUT_S)
        assert up.returncode == 0, up.stderr.decode()[-3000:]
        address = up.stdout.decode().strip()
        assert recorded(tmp_path / RECORD_PATH) == address
        again = _meetwire(tmp_path, "kafka", "up", "--data-dir", str(data_dir), env=_env())
        assert again.stdout.decode().strip() == address  # idempotent, and still recorded
        assert recorded(tmp_path / RECORD_PATH) == address
    finally:
        down = _meetwire(tmp_path, "kafka", "down", "--data-dir", str(data_dir), env=_env())
    assert down.returncode == 0, down.stderr.decode()
    assert recorded(tmp_path / RECORD_PATH) is None


@pytest.mark.parametrize(
    ("env", "record_text", "expected"),
    [
        ({}, "127.0.0.1:4242\n", "kafka://127.0.0.1:4242"),
        ({"MEETWIRE_BROKER": "kafka://b:9092"}, "127.0.0.1:4242\n", "kafka://b:9092"),
        ({"MEETWIRE_BROKER": ""}, "127.0.0.1:4242\n", "kafka://127.0.0.1:4242"),
        ({}, None, None),
        ({}, "\n", None),
    ],
)
def test_cli_local_broker_fills_only_an_unset_setting(
    env: dict[str, str], record_text: str | None, expected: str | None, tmp_path: Path
) -> None:
    path = tmp_path / RECORD_PATH
    if record_text is not None:
        path.parent.mkdir(parents=True)
        path.write_text(record_text)
    assert with_local_broker(env, path).get("MEETWIRE_BROKER") == expected


@pytest.mark.parametrize(("mine", "other"), [("127.0.0.1:4242", "127.0.0.1:4343")])
def test_cli_local_broker_forgets_only_its_own_record(mine: str, other: str, tmp_path: Path) -> None:
    path = tmp_path / RECORD_PATH
    record(other, path)
    assert not forget(mine, path)
    assert recorded(path) == other
    record(mine, path)
    assert forget(mine, path)
    assert recorded(path) is None
