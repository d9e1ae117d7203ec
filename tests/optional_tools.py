"""System tools some tests need beyond Python, each with the Debian/Ubuntu package providing it.

Without the tool such a test skips and names the package to install (the README's
prerequisites list them all). ``.ci/run`` installs every one and sets
``MEETWIRE_TEST_REQUIRE_TOOLS=1``: there a missing tool fails the test instead, so CI skips
nothing for want of a tool.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

DEBIAN_PACKAGES = {
    "java": "openjdk-17-jre-headless",
    "mvn": "maven",
    "curl": "curl",
    "openssl": "openssl",
    "prometheus": "prometheus",
    "promtool": "prometheus",
    "docker-compose": "docker-compose",
}
"""Executable -> the Debian/Ubuntu package that installs it."""

SYSTEM_CA_BUNDLE = Path("/etc/ssl/certs/ca-certificates.crt")
"""Debian's bundle of trusted CAs, from the ``ca-certificates`` package."""

REQUIRE_TOOLS = os.environ.get("MEETWIRE_TEST_REQUIRE_TOOLS", "") not in {"", "0"}
"""Set by ``.ci/run``: a missing tool is a failure, not a skip."""


def missing_message(what: str, package: str) -> str:
    return f"{what} is not installed: apt-get install {package} (.ci/run does)"


def require_tool(executable: str) -> str:
    """The tool's path; skips the test (fails it under ``.ci/run``) when it is not on PATH."""
    path = shutil.which(executable)
    if path is None:
        message = missing_message(executable, DEBIAN_PACKAGES[executable])
        if REQUIRE_TOOLS:
            pytest.fail(message)
        pytest.skip(message)
    return path


def require_file(path: Path, package: str) -> Path:
    """``path``, a file from ``package``; skips (fails under ``.ci/run``) when it is absent."""
    if not path.is_file():
        message = missing_message(str(path), package)
        if REQUIRE_TOOLS:
            pytest.fail(message)
        pytest.skip(message)
    return path


def requires_tool(executable: str) -> pytest.MarkDecorator:
    """A mark that skips the test when ``executable`` is missing (never under ``.ci/run``: it fails there)."""
    missing = shutil.which(executable) is None and not REQUIRE_TOOLS
    return pytest.mark.skipif(missing, reason=missing_message(executable, DEBIAN_PACKAGES[executable]))
