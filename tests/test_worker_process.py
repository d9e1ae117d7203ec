"""The worker harness says why a worker died: its first error and first traceback, not only the
pages of shutdown that follow them (``stream/devtools/worker_process.py``)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from stream.devtools.worker_process import WorkerError, WorkerProcess, log_excerpt
from stream.settings import Settings

CAUSE = "[2026-12-05 10:00:01,000] [42] [ERROR] [^--Consumer]: Crashed reason=KafkaTimeoutError()"
TRACEBACK = (
    "Traceback (most recent call last):\n"
    '  File "faust/app/base.py", line 1, in _on_partitions_assigned\n'
    "    await self.consumer.perform_seek()\n"
    "aiokafka.errors.KafkaTimeoutError: KafkaTimeoutError"
)
SHUTDOWN = "\n".join(f"[2026-12-05 10:00:02,000] [42] [INFO] [^Worker]: Stopping {i}..." for i in range(200))
CRASH_LOG = f"[2026-12-05 10:00:00,000] [42] [INFO] [^Worker]: Starting...\n{CAUSE}\n{TRACEBACK}\n{SHUTDOWN}\n"


@pytest.mark.parametrize("text", [CRASH_LOG])
def test_worker_process_log_excerpt_puts_the_first_error_and_traceback_before_the_tail(text: str) -> None:
    excerpt = log_excerpt(text, 500)
    assert excerpt.startswith(f"first error: {CAUSE}\nfirst traceback:\n{TRACEBACK}\n")
    assert excerpt.endswith(text[-500:])


@pytest.mark.parametrize(
    "text",
    [f"{SHUTDOWN}\n", f"{SHUTDOWN}\n{CAUSE}\n{TRACEBACK}\n"],
    ids=["no-error", "error-inside-the-tail"],
)
def test_worker_process_log_excerpt_is_the_bare_tail_when_nothing_failed_before_it(text: str) -> None:
    assert log_excerpt(text, 1000) == text[-1000:]


@pytest.mark.parametrize(
    "line",
    ['{"ts":"2026-12-05T10:00:01.000+00:00","level":"CRITICAL","logger":"mode","message":"crash","exc":"Traceback"}'],
)
def test_worker_process_log_excerpt_finds_an_error_in_json_logs(line: str) -> None:
    assert log_excerpt(f"{line}\n{SHUTDOWN}", 100).startswith(f"first error: {line}\n")


@pytest.mark.parametrize("text", [CRASH_LOG])
def test_worker_process_exit_message_names_the_first_error(tmp_path: Path, text: str) -> None:
    log_path = tmp_path / "worker.log"
    log_path.write_text(text)
    exited = subprocess.Popen([sys.executable, "-c", "raise SystemExit(1)"])
    exited.wait(30)
    worker = WorkerProcess(exited, Settings.from_env({}), {}, log_path)
    with pytest.raises(WorkerError) as raised:
        worker.check_alive()
    assert CAUSE in str(raised.value)
    assert "KafkaTimeoutError: KafkaTimeoutError" in str(raised.value)
