"""Development tools stay apart from the product: the worker never imports ``stream.devtools``."""

from __future__ import annotations

import subprocess
import sys

import pytest

WORKER_MODULES = ["stream.app", "agents.extract", "agents.canonical", "agents.monitor", "stream.process"]


@pytest.mark.parametrize("modules", [WORKER_MODULES])
def test_devtools_never_imported_by_the_worker(modules: list[str]) -> None:
    code = (
        "import importlib, sys\n"
        f"for name in {modules!r}:\n"
        "    importlib.import_module(name)\n"
        "print(sorted(m for m in sys.modules if m.startswith('stream.devtools')))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True)
    assert done.stdout.strip() == "[]", done.stderr[-2000:]


@pytest.mark.parametrize("command", [["kafka", "--help"], ["bench", "--help"]])
def test_devtools_commands_still_answer(command: list[str]) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "stream.cli", *command], capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr[-2000:]
