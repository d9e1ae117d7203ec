"""Where the local development broker is: the address ``meetwire kafka up`` records.

``meetwire kafka up`` (and so ``make demo``) starts Kafka on a free port and records its
``host:port`` in ``.cache/kafka-bootstrap`` under the current directory, next to the broker's
default data directory; ``meetwire kafka down`` removes the record. The settings fall back on it
only when ``MEETWIRE_BROKER`` is unset (``with_local_broker``), so every command run from the
same folder reaches that broker with nothing to set. An explicit ``MEETWIRE_BROKER`` always wins.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

BROKER_ENV = "MEETWIRE_BROKER"
"""The setting the record stands in for."""

RECORD_PATH = Path(".cache") / "kafka-bootstrap"
"""The record, relative to the current directory: one line, ``host:port``."""


def recorded(path: Path = RECORD_PATH) -> str | None:
    """The recorded ``host:port``, or None when there is no (readable, non-empty) record."""
    try:
        address = path.read_text(encoding="utf-8").strip()
    except OSError:
        return None
    return address or None


def record(address: str, path: Path = RECORD_PATH) -> None:
    """Record ``address`` (``host:port``) as the local broker's."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.tmp")
    partial.write_text(f"{address}\n", encoding="utf-8")
    partial.replace(path)  # readers never see half a line


def forget(address: str, path: Path = RECORD_PATH) -> bool:
    """Remove the record if it is ``address``'s (another broker's record stays); True if removed."""
    if recorded(path) != address:
        return False
    path.unlink(missing_ok=True)
    return True


def with_local_broker(env: Mapping[str, str], path: Path = RECORD_PATH) -> Mapping[str, str]:
    """``env`` with ``MEETWIRE_BROKER`` set to the recorded local broker when it is unset or empty."""
    if env.get(BROKER_ENV):
        return env
    address = recorded(path)
    return env if address is None else {**env, BROKER_ENV: f"kafka://{address}"}
