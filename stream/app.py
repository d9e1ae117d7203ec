"""The Faust app: ``faust -A stream.app worker`` (or ``meetwire worker``) runs it.

Settings are read from the environment here, once; everything else receives them.
Agents live in ``agents/`` and are found by autodiscovery when the worker starts.
"""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from faust.auth import SASLCredentials, SSLCredentials
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from stream.faust_app import MeetwireApp
from stream.health import ConsumerReadiness, HttpServer, LoopWatchdog, Reply, live_reply, ready_reply
from stream.logs import logging_config
from stream.metrics import Metrics
from stream.settings import Settings


def broker_credentials(settings: Settings) -> Any:
    """Faust credentials for the configured security protocol, or None for PLAINTEXT."""
    context = settings.ssl_context()
    if settings.security_protocol.startswith("SASL"):
        return SASLCredentials(
            username=settings.sasl_username,
            password=settings.sasl_password,
            mechanism=settings.sasl_mechanism,
            ssl_context=context,
        )
    if context is not None:
        return SSLCredentials(context)
    return None


def create_app(settings: Settings) -> MeetwireApp:
    """A Faust app configured from ``settings`` alone: at-least-once, idempotent producer, acks from all replicas.

    Faust would also read its own unprefixed environment variables (``WEB_PORT``,
    ``BROKER_SESSION_TIMEOUT``, ...) over these arguments: an empty ``env`` keeps them out. On
    Kubernetes a Service named ``web`` puts ``WEB_PORT=tcp://10.0.0.1:80`` in every pod.
    """
    app = MeetwireApp(
        settings.app_id,
        env={},
        broker=settings.faust_broker,
        broker_credentials=broker_credentials(settings),
        autodiscover=["agents"],
        origin="stream.app",
        topic_partitions=settings.topic_partitions,
        topic_replication_factor=settings.topic_replication_factor,
        consumer_auto_offset_reset="earliest",
        producer_acks=-1,
        broker_commit_interval=settings.commit_interval_s,
        # Faust's 60 s session would keep a killed worker's partitions idle for a minute after a restart.
        broker_session_timeout=settings.session_timeout_s,
        broker_heartbeat_interval=settings.heartbeat_interval_s,
        broker_max_poll_interval=settings.max_poll_interval_s,
        broker_request_timeout=settings.request_timeout_s,
        broker_rebalance_timeout=settings.rebalance_timeout_s,
        producer_request_timeout=settings.producer_request_timeout_s,
        consumer_metadata_max_age_ms=int(settings.metadata_max_age_s * 1000),
        producer_metadata_max_age_ms=int(settings.metadata_max_age_s * 1000),
        consumer_group_instance_id=settings.instance_id,
        producer_max_request_size=settings.max_request_bytes,
        web_port=settings.web_port,
        web_bind=settings.web_host,
        web_host=settings.web_host,
        store=settings.table_store,  # the canonical tables (agents/canonical.py)
        logging_config=logging_config(settings),
    )
    # Every topic an agent reads (agents/): commits stop at the first record not processed.
    app.ledger_topics = frozenset({settings.topic_raw, settings.topic_events, settings.topic_canonical_route})
    return app


def metrics_reply(metrics: Metrics) -> Reply:
    """``/metrics``: the registry in Prometheus's text format."""
    return Reply(HTTPStatus.OK, generate_latest(metrics.registry), CONTENT_TYPE_LATEST)


def http_server(settings: Settings, metrics: Metrics, readiness: ConsumerReadiness) -> HttpServer:
    """The worker's only HTTP endpoints, on ``MEETWIRE_WEB_HOST:MEETWIRE_WEB_PORT``, with their watchdog."""

    def tick() -> None:
        metrics.ready.set(1 if readiness.judge().ready else 0)

    watchdog = LoopWatchdog(on_tick=tick)
    timeout_s = settings.liveness_timeout_s
    server = HttpServer(
        host=settings.web_host,
        port=settings.web_port,
        routes={
            "/metrics": lambda: metrics_reply(metrics),
            "/live": lambda: live_reply(watchdog, timeout_s),
            "/ready": lambda: ready_reply(readiness, watchdog, timeout_s),
        },
    )
    server.add_dependency(watchdog)  # started and stopped with the server
    return server


settings = Settings.from_env()
metrics = Metrics.create()
app = create_app(settings)
readiness = ConsumerReadiness(
    app,
    topic=settings.topic_raw,
    stall_s=settings.readiness_stall_s,
    progress=lambda: metrics.progress.next_offset,
)
app.serve_http(http_server(settings, metrics, readiness))
