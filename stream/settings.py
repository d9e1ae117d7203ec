"""One typed settings object, read from the environment once and passed in.

Each option is declared once, with its environment variable, default and doc side by
side; the README table is generated from the same declarations (``settings_table``).
Nothing else in meetwire reads ``os.environ``.
"""

from __future__ import annotations

import os
import ssl
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from typing import Any

from stream.local_broker import with_local_broker


class SettingsError(ValueError):
    """A setting has a value meetwire cannot use."""


def _opt(env: str, default: Any, doc: str, *, secret: bool = False) -> Any:
    return field(default=default, metadata={"env": env, "doc": doc, "secret": secret}, repr=not secret)


def _to_bool(raw: str) -> bool:
    if raw.strip().lower() in {"1", "true", "yes", "on"}:
        return True
    if raw.strip().lower() in {"0", "false", "no", "off", ""}:
        return False
    raise SettingsError(f"not a boolean: {raw!r}")


_PARSERS: dict[type | str, Callable[[str], Any]] = {
    "int": int,
    "float": float,
    "bool": _to_bool,
    "str": str,
    "str | None": lambda raw: raw or None,
}


@dataclass(frozen=True, slots=True)
class Settings:
    """Everything meetwire can be told, with the defaults for a local development broker."""

    broker: str = _opt(
        "MEETWIRE_BROKER", "kafka://127.0.0.1:9092", "Kafka bootstrap servers, comma-separated (`kafka://` optional)."
    )
    app_id: str = _opt("MEETWIRE_APP_ID", "meetwire", "Faust app id; also the consumer group.")
    topic_raw: str = _opt("MEETWIRE_TOPIC_RAW", "wire.raw", "Topic of incoming wire items.")
    topic_events: str = _opt("MEETWIRE_TOPIC_EVENTS", "meetings.events", "Topic of extracted meeting events.")
    topic_deadletter: str = _opt(
        "MEETWIRE_TOPIC_DEADLETTER", "wire.deadletter", "Topic of records that could not be processed."
    )
    topic_canonical: str = _opt("MEETWIRE_TOPIC_CANONICAL", "meetings.canonical", "Compacted topic of merged meetings.")
    canonical_retention_days: float = _opt(
        "MEETWIRE_CANONICAL_RETENTION_DAYS",
        30.0,
        "Days a canonical meeting stays open to new reports after its latest one (record time); then it leaves "
        "the merge table. Its last record stays on the compacted topic (no tombstone).",
    )
    canonical_max_reports: int = _opt(
        "MEETWIRE_CANONICAL_MAX_REPORTS",
        100,
        "Reports a canonical meeting keeps and lists whole; later ones are only counted (`reports_omitted`), "
        "so one much-reported meeting cannot grow its record past the broker's message size limit.",
    )
    canonical_max_meetings_per_key: int = _opt(
        "MEETWIRE_CANONICAL_MAX_MEETINGS_PER_KEY",
        5000,
        "Meetings a party's name key lists in the merge's index (oldest first out): a very frequent name "
        "cannot grow its table value past the broker's message size limit.",
    )
    table_store: str = _opt(
        "MEETWIRE_TABLE_STORE",
        "rocksdb://",
        "Faust store of the canonical-meetings table: `rocksdb://` (on disk under the app id's data directory, "
        "rebuilt from the changelog topic when missing) or `memory://` (rebuilt from the changelog at every start).",
    )
    topic_partitions: int = _opt(
        "MEETWIRE_TOPIC_PARTITIONS", 1, "Partitions for topics meetwire creates; the parallelism ceiling."
    )
    topic_replication_factor: int = _opt(
        "MEETWIRE_TOPIC_REPLICATION_FACTOR",
        1,
        "Replicas of each partition of the topics meetwire creates (its output and internal topics); 3 on a "
        "cluster of three or more brokers, so one broker can stop without stopping the worker.",
    )
    web_host: str = _opt("MEETWIRE_WEB_HOST", "127.0.0.1", "Address the `/metrics`, `/ready`, `/live` server binds to.")
    web_port: int = _opt("MEETWIRE_WEB_PORT", 6066, "Port of the worker's web server (`/metrics`, `/ready`, `/live`).")
    liveness_timeout_s: float = _opt(
        "MEETWIRE_LIVENESS_TIMEOUT_S",
        30.0,
        "`/live` answers 503 once the worker's event loop has not turned for this many seconds (checked "
        "every 0.5 s); `/ready` too. During extraction the loop turns within a few hundredths of a second "
        "(see Health probes).",
    )
    readiness_stall_s: float = _opt(
        "MEETWIRE_READINESS_STALL_S",
        30.0,
        "`/ready` and `meetwire_worker_ready` turn 503/0 when the consumer has had no fetch response and "
        "processed no record for this many seconds (a broker outage, a stuck fetcher).",
    )
    startup_timeout_s: float = _opt(
        "MEETWIRE_STARTUP_TIMEOUT_S",
        60.0,
        "With no broker answering at start, the worker retries (backoff 1, 2, 4, 8, then every 10 s) for this "
        "long, then exits 75 (EX_TEMPFAIL) for its supervisor to restart it; `0` exits 75 at once. The log "
        "says which.",
    )
    max_item_bytes: int = _opt(
        "MEETWIRE_MAX_ITEM_BYTES", 1_048_576, "Larger raw records are dead-lettered as `too_large`."
    )
    max_text_chars: int = _opt(
        "MEETWIRE_MAX_TEXT_CHARS",
        20_000,
        "Items whose `text` is longer are dead-lettered as `text_too_long`, not extracted: extraction time grows "
        "faster than the text (about 1 s at 20,000 characters, 3 s at 40,000, 28 s at 100,000 on the 2-core "
        "development machine). 8 times the longest article in the evaluation sets.",
    )
    max_request_bytes: int = _opt(
        "MEETWIRE_MAX_REQUEST_BYTES",
        1_000_000,
        "Largest record the worker publishes (the producer's `max_request_size`); keep it at or below the "
        "output topics' `max.message.bytes` (broker default 1048588). Larger dead letters carry a prefix of "
        "the payload.",
    )
    batch_size: int = _opt("MEETWIRE_BATCH_SIZE", 32, "Items the worker extracts together (`nlp.pipe`).")
    batch_within_s: float = _opt(
        "MEETWIRE_BATCH_WITHIN_S",
        0.01,
        "Longest wait, in seconds, to fill a batch before extracting it. A backlog fills whole batches at once; "
        "at light load a short wait keeps latency low (see Performance).",
    )
    commit_after_batch: bool = _opt(
        "MEETWIRE_COMMIT_AFTER_BATCH",
        True,
        "Commit the raw topic's offsets as soon as the broker has acknowledged a batch's events and dead "
        "letters, so a killed worker republishes at most one batch (`MEETWIRE_BATCH_SIZE` items); costs one "
        "commit request per batch. `false`: only the timer commits (`MEETWIRE_COMMIT_INTERVAL_S`).",
    )
    commit_interval_s: float = _opt(
        "MEETWIRE_COMMIT_INTERVAL_S",
        1.0,
        "Seconds between timer commits of every agent's acked offsets; with `MEETWIRE_COMMIT_AFTER_BATCH=false` "
        "a killed worker redoes about this much work.",
    )
    session_timeout_s: float = _opt(
        "MEETWIRE_SESSION_TIMEOUT_S",
        10.0,
        "Consumer session timeout: a worker that stops heartbeating (killed, frozen) keeps its partitions this "
        "long before the group hands them on. Brokers accept 6-300 s by default.",
    )
    heartbeat_interval_s: float = _opt(
        "MEETWIRE_HEARTBEAT_INTERVAL_S",
        3.0,
        "Seconds between consumer heartbeats; under a third of the session timeout.",
    )
    max_poll_interval_s: float = _opt(
        "MEETWIRE_MAX_POLL_INTERVAL_S",
        1000.0,
        "Longest gap between two polls of the consumer before the group counts it as stuck and hands its "
        "partitions on (Kafka's `max.poll.interval.ms`). The worker polls from a fetcher of its own, not "
        "between batches, so this bounds a stuck fetcher, not a slow batch.",
    )
    request_timeout_s: float = _opt(
        "MEETWIRE_REQUEST_TIMEOUT_S",
        90.0,
        "Longest wait for the broker's answer to one consumer request (fetch, join, commit); more than the "
        "session timeout.",
    )
    rebalance_timeout_s: float = _opt(
        "MEETWIRE_REBALANCE_TIMEOUT_S",
        60.0,
        "Longest time the group waits for every member to rejoin during a rebalance.",
    )
    metadata_max_age_s: float = _opt(
        "MEETWIRE_METADATA_MAX_AGE_S",
        30.0,
        "Longest the consumer and producer go without re-reading the cluster's topics and leaders. A topic "
        "created on one broker can be missing from another's answer for a moment; a group assigned then "
        "skips that topic until the next re-read (Kafka's default, 5 minutes).",
    )
    producer_request_timeout_s: float = _opt(
        "MEETWIRE_PRODUCER_REQUEST_TIMEOUT_S",
        1200.0,
        "Longest wait for the broker to acknowledge a published record, retries included; past it the "
        "worker exits 75 without acknowledging the batch, which a restart redoes. It rides out a broker "
        "outage shorter than this.",
    )
    instance_id: str | None = _opt(
        "MEETWIRE_INSTANCE_ID",
        None,
        "Static group membership (Kafka's `group.instance.id`): a worker restarted with the same id takes its "
        "partitions back at once, not after the session timeout. Unique per worker and stable across its "
        "restarts (a StatefulSet pod name, a compose service name). A static member does not leave the group "
        "on SIGTERM, so when it stops for good its partitions wait out the session timeout.",
    )
    state_dir: str = _opt(
        "MEETWIRE_STATE_DIR",
        "meetwire-state",
        "Directory of the crash-loop guard's notes (one small file per partition, under the app id); keep it "
        "across restarts of the worker (a volume; in Kubernetes an `emptyDir` survives container restarts).",
    )
    crash_loop_limit: int = _opt(
        "MEETWIRE_CRASH_LOOP_LIMIT",
        2,
        "A record in progress when the worker died this many times is dead-lettered as `crash_loop` on the next "
        "start (see Guarantees and failure modes).",
    )
    extract: bool = _opt(
        "MEETWIRE_EXTRACT",
        True,
        "`false` switches extraction off: items are still decoded, dead-lettered and counted, no events "
        "(the benchmark's streaming floor).",
    )
    extract_ner: bool = _opt(
        "MEETWIRE_EXTRACT_NER",
        False,
        "`true` adds the shipped Indonesian statistical name tagger for untitled names (slower start-up "
        "and extraction; no gain measured on the development set).",
    )
    security_protocol: str = _opt(
        "MEETWIRE_SECURITY_PROTOCOL",
        "PLAINTEXT",
        "`PLAINTEXT`, `SSL`, `SASL_PLAINTEXT` or `SASL_SSL`.",
    )
    sasl_mechanism: str = _opt("MEETWIRE_SASL_MECHANISM", "PLAIN", "`PLAIN`, `SCRAM-SHA-256` or `SCRAM-SHA-512`.")
    sasl_username: str | None = _opt("MEETWIRE_SASL_USERNAME", None, "SASL user name.")
    sasl_password: str | None = _opt("MEETWIRE_SASL_PASSWORD", None, "SASL password (never logged).", secret=True)
    ssl_cafile: str | None = _opt("MEETWIRE_SSL_CAFILE", None, "CA bundle that signs the brokers' certificates.")
    ssl_certfile: str | None = _opt("MEETWIRE_SSL_CERTFILE", None, "Client certificate, for mutual TLS.")
    ssl_keyfile: str | None = _opt("MEETWIRE_SSL_KEYFILE", None, "Client private key, for mutual TLS.")
    event_loop: str = _opt(
        "MEETWIRE_EVENT_LOOP",
        "uvloop",
        "`meetwire worker`'s event loop: `uvloop` (3-8 % more items/s measured, see Performance) or `asyncio`.",
    )
    log_level: str = _opt("MEETWIRE_LOG_LEVEL", "INFO", "Worker log level.")
    log_json: bool = _opt("MEETWIRE_LOG_JSON", False, "Worker logs as one JSON object per line (stdout).")
    test_kill_marker: str | None = _opt(
        "MEETWIRE_TEST_KILL_MARKER",
        None,
        "Tests only: the worker SIGKILLs itself when asked to extract an item whose text holds this string.",
    )

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        """Read every option from ``env`` (default: the process environment)."""
        source = with_local_broker(os.environ) if env is None else env  # `meetwire kafka up`'s broker if unset
        values: dict[str, Any] = {}
        for f in fields(cls):
            raw = source.get(f.metadata["env"])
            if raw is None:
                continue
            try:
                values[f.name] = _PARSERS[str(f.type)](raw)
            except (KeyError, ValueError) as exc:
                raise SettingsError(f"{f.metadata['env']}={raw!r}: {exc}") from exc
        settings = cls(**values)
        settings.validate()
        return settings

    def validate(self) -> None:
        """Reject combinations that would only fail later, deep inside a client."""
        protocols = {"PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"}
        if self.security_protocol not in protocols:
            raise SettingsError(f"MEETWIRE_SECURITY_PROTOCOL must be one of {sorted(protocols)}")
        if self.sasl_mechanism not in {"PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"}:
            raise SettingsError("MEETWIRE_SASL_MECHANISM must be PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512")
        if self.security_protocol.startswith("SASL") and not (self.sasl_username and self.sasl_password):
            raise SettingsError("SASL needs MEETWIRE_SASL_USERNAME and MEETWIRE_SASL_PASSWORD")
        if self.security_protocol in {"SSL", "SASL_SSL"}:
            for env, path in (
                ("MEETWIRE_SSL_CAFILE", self.ssl_cafile),
                ("MEETWIRE_SSL_CERTFILE", self.ssl_certfile),
                ("MEETWIRE_SSL_KEYFILE", self.ssl_keyfile),
            ):
                if path is not None and not os.path.isfile(path):
                    raise SettingsError(f"{env}={path!r} is not a file")
            if self.ssl_keyfile and not self.ssl_certfile:
                raise SettingsError("MEETWIRE_SSL_KEYFILE needs MEETWIRE_SSL_CERTFILE")
        if self.event_loop not in {"uvloop", "asyncio"}:
            raise SettingsError("MEETWIRE_EVENT_LOOP must be uvloop or asyncio")
        if self.canonical_retention_days <= 0:
            raise SettingsError("MEETWIRE_CANONICAL_RETENTION_DAYS must be positive")
        if self.table_store not in {"rocksdb://", "memory://"}:
            raise SettingsError("MEETWIRE_TABLE_STORE must be rocksdb:// or memory://")
        if self.commit_interval_s <= 0:
            raise SettingsError("MEETWIRE_COMMIT_INTERVAL_S must be positive")
        sizes = (
            self.max_item_bytes,
            self.max_text_chars,
            self.max_request_bytes,
            self.batch_size,
            self.canonical_max_reports,
            self.canonical_max_meetings_per_key,
        )
        if min(*sizes, self.topic_partitions, self.topic_replication_factor, self.crash_loop_limit) <= 0:
            raise SettingsError("sizes and counts must be positive")
        if self.startup_timeout_s < 0:
            raise SettingsError("MEETWIRE_STARTUP_TIMEOUT_S must be 0 or more")
        if min(self.liveness_timeout_s, self.readiness_stall_s) <= 0:
            raise SettingsError("MEETWIRE_LIVENESS_TIMEOUT_S and MEETWIRE_READINESS_STALL_S must be positive")
        if self.request_timeout_s <= self.session_timeout_s:
            raise SettingsError("MEETWIRE_REQUEST_TIMEOUT_S must be longer than MEETWIRE_SESSION_TIMEOUT_S")
        positive = (
            self.max_poll_interval_s,
            self.rebalance_timeout_s,
            self.producer_request_timeout_s,
            self.metadata_max_age_s,
        )
        if min(positive) <= 0:
            raise SettingsError(
                "MEETWIRE_MAX_POLL_INTERVAL_S, MEETWIRE_REBALANCE_TIMEOUT_S, MEETWIRE_PRODUCER_REQUEST_TIMEOUT_S "
                "and MEETWIRE_METADATA_MAX_AGE_S must be positive"
            )
        if not 0 < 3 * self.heartbeat_interval_s <= self.session_timeout_s:
            raise SettingsError(
                "MEETWIRE_HEARTBEAT_INTERVAL_S must be positive and at most a third of MEETWIRE_SESSION_TIMEOUT_S"
            )

    def ssl_context(self) -> ssl.SSLContext | None:
        """The TLS context for ``SSL``/``SASL_SSL`` (CA file, optional client certificate), else None."""
        if self.security_protocol not in {"SSL", "SASL_SSL"}:
            return None
        context = ssl.create_default_context(cafile=self.ssl_cafile)
        if self.ssl_certfile:
            context.load_cert_chain(self.ssl_certfile, self.ssl_keyfile)
        return context

    @property
    def bootstrap_servers(self) -> list[str]:
        """``host:port`` entries, without the ``kafka://`` scheme, for aiokafka clients."""
        return [s.strip().removeprefix("kafka://") for s in self.broker.split(",") if s.strip()]

    @property
    def topic_canonical_route(self) -> str:
        """The merge's own topic of events re-keyed by blocking key (``agents/canonical.py``)."""
        return f"{self.app_id}-canonical-route"

    @property
    def faust_broker(self) -> str:
        """The broker URL list in Faust's form (``kafka://a:9092;kafka://b:9092``)."""
        return ";".join(f"kafka://{s}" for s in self.bootstrap_servers)


def settings_table() -> str:
    """The Markdown table of every setting, for the README."""
    rows = ["| variable | default | meaning |", "| --- | --- | --- |"]
    for f in fields(Settings):
        default = "(unset)" if f.default is None else f"`{f.default}`"
        rows.append(f"| `{f.metadata['env']}` | {default} | {f.metadata['doc']} |")
    return "\n".join(rows)
