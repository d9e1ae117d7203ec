"""Worker logging: Faust's human-readable lines by default, one JSON object per line when
``MEETWIRE_LOG_JSON`` is set.

What meetwire logs is chosen so the volume does not grow with the traffic: one line per dead
letter and per failure, each naming ``topic[partition]@offset``, and nothing per successful
item at INFO. A JSON line carries ``ts`` (RFC 3339, UTC), ``level``, ``logger``, ``message``,
the ``exc`` traceback if any, and every field passed in ``extra=`` (e.g. ``topic``,
``partition``, ``offset``, ``reason``).
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

import orjson

from stream.settings import Settings

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
