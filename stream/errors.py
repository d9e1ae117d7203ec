"""What can go wrong with a record, and whether retrying could help.

    MeetwireError
    ├── PoisonRecord       this record can never be processed: dead-letter it and go on
    ├── TransientError     the world is briefly wrong (broker, network): retry, or crash
    │                      and resume from the last committed offset
    └── BrokerAccessError  the broker refuses us (credentials, TLS): no retry can help,
                           stop with a message that says which setting to fix

Callers branch on ``retriable``, as aiokafka's errors let them (``is_transient``).
"""

from __future__ import annotations

from aiokafka.errors import KafkaTimeoutError


class MeetwireError(Exception):
    """Base of meetwire's own errors."""

    retriable = False


class PoisonRecord(MeetwireError):
    """A record that cannot be processed; ``reason`` is the dead letter's reason code."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(f"{reason}: {detail}")
        self.reason = reason
        self.detail = detail


class TransientError(MeetwireError):
    """A failure that may pass if the same work is tried again."""

    retriable = True


class BrokerAccessError(MeetwireError):
    """The broker rejected our credentials or TLS handshake; a configuration error, not a retriable one."""


def is_transient(exc: BaseException) -> bool:
    """Whether ``exc``, or an exception it was raised from, says that trying again may succeed.

    Faust wraps send failures in ``ProducerSendError``, so the chain is searched: a retriable
    aiokafka error (connection lost, leader moving) or a timeout is transient; a record the broker
    refuses for its size, an authorisation error or a bug is not.
    """
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if getattr(current, "retriable", False) or isinstance(current, TimeoutError | KafkaTimeoutError):
            return True
        current = current.__cause__ or current.__context__
    return False
