"""Worker logging: Faust's human-readable lines by default, one JSON object per line when
``MEETWIRE_LOG_JSON`` is set.

What meetwire logs is chosen so the volume does not grow with the traffic: one line per dead
letter and per failure, each naming ``topic[partition]@offset``, and nothing per successful
item at INFO. A JSON line carries ``ts`` (RFC 3339, UTC), ``level``, ``logger``, ``message``,
the ``exc`` traceback if any, and every field passed in ``extra=`` (e.g. ``topic``,
``partition``, ``offset``, ``reason``).

Start-up is quiet and honest: aiokafka's coordinator discovery, which fails and retries while
the broker elects the group coordinator, is logged at INFO (:class:`CoordinatorRetryLevel`);
every other aiokafka ERROR stays an ERROR.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

import orjson

from stream.settings import Settings

COORDINATOR_LOGGER = "aiokafka.consumer.group_coordinator"
"""The aiokafka logger whose coordinator-discovery records :class:`CoordinatorRetryLevel` lowers."""

COORDINATOR_REQUEST_FAILED = "Group Coordinator Request failed: %s"
"""aiokafka's message (before formatting) for a failed FindCoordinator request; retried when retriable."""

COORDINATOR_MARKED_DEAD = "Marking the coordinator dead (node %s)for group %s."
"""aiokafka's warning (sic, no space) before it looks the coordinator up again."""

COORDINATOR_NOT_AVAILABLE_ERRNO = 15
"""Kafka's COORDINATOR_NOT_AVAILABLE: no coordinator elected yet (every start), retriable."""

# Attributes every LogRecord has; anything else on a record came in through ``extra=``.
_STANDARD_ATTRS = frozenset(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime"}


class JsonFormatter(logging.Formatter):
    """One JSON object per record, on one line."""

    def format(self, record: logging.LogRecord) -> str:
        out: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key, value in vars(record).items():
            if key not in _STANDARD_ATTRS and not key.startswith("_"):
                out[key] = value
        if record.exc_info:
            out["exc"] = self.formatException(record.exc_info)
        elif record.exc_text:
            out["exc"] = record.exc_text
        if record.stack_info:
            out["stack"] = self.formatStack(record.stack_info)
        return orjson.dumps(out, default=repr).decode()


def logging_config(settings: Settings) -> dict[str, Any] | None:
    """The ``logging_config`` for Faust's worker: ``None`` keeps Faust's own format.

    With JSON on, it is merged over Faust's defaults (so ``--loglevel`` still applies) and
    replaces the colour handler with a plain stream handler writing JSON lines to stdout.
    """
    if not settings.log_json:
        return None
    return {
        "merge": True,
        "version": 1,
        "formatters": {"json": {"()": f"{__name__}.JsonFormatter"}},
        "handlers": {
            "default": {"class": "logging.StreamHandler", "formatter": "json", "stream": "ext://sys.stdout"},
        },
    }


class CoordinatorRetryLevel(logging.Filter):
    """A filter for :data:`COORDINATOR_LOGGER`: its expected coordinator-discovery retries at INFO.

    Lowered are exactly "Group Coordinator Request failed" with Kafka error 15
    (``GroupCoordinatorNotAvailableError``, which aiokafka retries: the coordinator is not
    elected yet) and "Marking the coordinator dead", after which aiokafka looks the coordinator
    up again. Both are transient at any time, not only at start: a discovery that keeps failing
    for another reason, an authorization failure, a failed heartbeat, join or commit are
    different records and keep their level. Records are lowered, never dropped, so a worker run
    at ``--loglevel info`` still shows the retries.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        if record.name == COORDINATOR_LOGGER and _expected_coordinator_retry(record):
            record.levelno = logging.INFO
            record.levelname = logging.getLevelName(logging.INFO)
        return True


def _expected_coordinator_retry(record: logging.LogRecord) -> bool:
    if record.msg == COORDINATOR_MARKED_DEAD:
        return True
    if record.msg != COORDINATOR_REQUEST_FAILED or not isinstance(record.args, tuple) or len(record.args) != 1:
        return False
    error = record.args[0]
    return (
        getattr(error, "errno", None) == COORDINATOR_NOT_AVAILABLE_ERRNO and getattr(error, "retriable", False) is True
    )


def install_coordinator_retry_level() -> None:
    """Add a :class:`CoordinatorRetryLevel` to :data:`COORDINATOR_LOGGER` unless it has one.

    On the logger, not on handlers: a lowered record then meets each handler's level as INFO.
    """
    logger = logging.getLogger(COORDINATOR_LOGGER)
    if not any(isinstance(f, CoordinatorRetryLevel) for f in logger.filters):
        logger.addFilter(CoordinatorRetryLevel())
