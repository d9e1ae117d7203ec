"""Quiet, honest start-up logs: aiokafka's expected coordinator-discovery retries at INFO, real failures not."""

from __future__ import annotations

import logging

import pytest
from aiokafka.errors import (
    GroupAuthorizationFailedError,
    GroupCoordinatorNotAvailableError,
    KafkaConnectionError,
    NotCoordinatorForGroupError,
)

from stream.logs import COORDINATOR_LOGGER, CoordinatorRetryLevel, install_coordinator_retry_level


def _record(name: str, level: int, msg: str, *args: object) -> logging.LogRecord:
    return logging.LogRecord(name, level, "group_coordinator.py", 1, msg, args, None)


@pytest.mark.parametrize(
    "record",
    [
        _record(
            COORDINATOR_LOGGER,
            logging.ERROR,
            "Group Coordinator Request failed: %s",
            GroupCoordinatorNotAvailableError(),
        ),
        _record(COORDINATOR_LOGGER, logging.WARNING, "Marking the coordinator dead (node %s)for group %s.", 1, "g"),
    ],
)
def test_log_levels_coordinator_discovery_retries_at_info(record: logging.LogRecord) -> None:
    assert CoordinatorRetryLevel().filter(record)
    assert (record.levelno, record.levelname) == (logging.INFO, "INFO")


@pytest.mark.parametrize(
    "record",
    [
        # Another error of the same discovery request: not the expected start-up one.
        _record(COORDINATOR_LOGGER, logging.ERROR, "Group Coordinator Request failed: %s", KafkaConnectionError()),
        _record(
            COORDINATOR_LOGGER, logging.ERROR, "Group Coordinator Request failed: %s", GroupAuthorizationFailedError()
        ),
        _record(COORDINATOR_LOGGER, logging.ERROR, "Heartbeat session expired - marking coordinator dead"),
        _record(COORDINATOR_LOGGER, logging.ERROR, "Heartbeat failed: %r", NotCoordinatorForGroupError()),
        # The same text from another logger is not aiokafka's.
        _record(
            "stream.process", logging.ERROR, "Group Coordinator Request failed: %s", GroupCoordinatorNotAvailableError()
        ),
    ],
)
def test_log_levels_other_errors_keep_their_level(record: logging.LogRecord) -> None:
    assert CoordinatorRetryLevel().filter(record)
    assert (record.levelno, record.levelname) == (logging.ERROR, "ERROR")


@pytest.mark.parametrize("handler_level", [logging.INFO, logging.WARNING])
def test_log_levels_installed_filter_lowers_before_handlers(handler_level: int) -> None:
    logger = logging.getLogger(COORDINATOR_LOGGER)
    seen: list[logging.LogRecord] = []

    class _Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            seen.append(record)

    handler = _Collect(handler_level)
    saved = (logger.filters[:], logger.level, logger.propagate)
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    logger.propagate = False
    try:
        install_coordinator_retry_level()
        install_coordinator_retry_level()  # idempotent
        assert sum(isinstance(f, CoordinatorRetryLevel) for f in logger.filters) == 1
        logger.error("Group Coordinator Request failed: %s", GroupCoordinatorNotAvailableError())
        logger.error("Heartbeat session expired - marking coordinator dead")
    finally:
        logger.removeHandler(handler)
        logger.filters[:] = saved[0]
        logger.setLevel(saved[1])
        logger.propagate = saved[2]
    levels = [r.levelname for r in seen]
    assert levels == (["INFO", "ERROR"] if handler_level == logging.INFO else ["ERROR"])
