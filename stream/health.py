"""The worker's HTTP surface (``/metrics``, ``/ready``, ``/live``, nothing else) and the health behind it.

**Liveness**: a watchdog task notes every :data:`TICK_S` that the event loop turned. ``/live`` is
503 once it has not for ``MEETWIRE_LIVENESS_TIMEOUT_S``: the loop is blocked or the process
wedged. The server runs on a thread of its own, so it answers 503 rather than not at all.

**Readiness** (``/ready`` and ``meetwire_worker_ready``), judged on the loop at every tick: the
agent has loaded its extractor, raw-topic partitions are assigned, no rebalance is in progress,
and the consumer is fetching: a fetch response for one of those partitions, or a record
processed, within ``MEETWIRE_READINESS_STALL_S``. An idle partition gets a fetch response every
100 ms; a backlog the fetcher is not asked to refill still shows progress. A worker that holds
no partition (more workers than partitions) is not ready.

Faust's own web server (aiohttp, on the event loop) serves its views next to ours, without
login: ``/router/topics`` lists the worker's partition assignment, ``/table/...`` its tables,
and ``/router/<unknown>/`` answers 500 with a ``KeyError`` traceback in the log. Faust lets an
app replace that server (``App.web_server``); this one is the standard library's
``ThreadingHTTPServer`` on a daemon thread. Every path it does not know is a 404 with a
one-line body, every method but GET and HEAD a 501, and nothing reaches the log but errors.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from aiokafka import TopicPartition
from faust.types import AppT
from mode import Service

log = logging.getLogger(__name__)

TICK_S = 0.5
"""How often the watchdog notes that the event loop turned and judges readiness."""
REQUEST_TIMEOUT_S = 10.0
"""A client that sends no complete request in this long is disconnected (keeps threads from piling up)."""


@dataclass(frozen=True, slots=True)
class Reply:
    """What a route answers."""

    status: HTTPStatus
    body: bytes
    content_type: str = "text/plain; charset=utf-8"


Route = Callable[[], Reply]
"""A path's handler: called on a server thread, so it must only read thread-safe state."""

NOT_FOUND = Reply(HTTPStatus.NOT_FOUND, b"not found\n")


def _handler_class(routes: Mapping[str, Route]) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        timeout = REQUEST_TIMEOUT_S
        server_version = "meetwire"
        sys_version = ""

        def do_GET(self) -> None:
            self._answer(send_body=True)

        def do_HEAD(self) -> None:
            self._answer(send_body=False)

        def _answer(self, *, send_body: bool) -> None:
            route = routes.get(self.path.split("?", 1)[0])
            try:
                reply = route() if route is not None else NOT_FOUND
            except Exception:  # a route's bug is a 500 for this request, never a dead server
                log.exception("HTTP %s failed", self.path)
                reply = Reply(HTTPStatus.INTERNAL_SERVER_ERROR, b"internal error\n")
            try:
                self.send_response(reply.status)
                self.send_header("Content-Type", reply.content_type)
                self.send_header("Content-Length", str(len(reply.body)))
                self.end_headers()
                if send_body:
                    self.wfile.write(reply.body)
            except (BrokenPipeError, ConnectionResetError):  # the client gave up waiting: nothing to tell it
                log.debug("HTTP %s: client went away", self.path)

        def log_message(self, format: str, *args: Any) -> None:
            # One line per probe and scrape would be most of the log; errors still come here.
            log.debug("HTTP %s: " + format, self.address_string(), *args)

    return Handler


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        # The base class prints a traceback to stderr (a WARNING per line under Faust) for any
        # error in a request, a client hanging up included.
        log.debug("HTTP request from %s failed", client_address, exc_info=True)


class HttpServer(Service):
    """Serves ``routes`` on ``host:port`` from a thread, from when the worker starts until it stops.

    Construction binds nothing (the app is built at import time); ``on_start`` binds, so a port
    already taken stops the worker at once with the error.
    """

    def __init__(self, *, host: str, port: int, routes: Mapping[str, Route], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.host = host
        self.port = port
        self.routes = dict(routes)
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def web_url(self) -> str:
        """Shown in Faust's start-up banner."""
        return f"http://{self.host}:{self.port}/"

    @property
    def driver_version(self) -> str:
        """Shown in Faust's start-up banner."""
        return "http.server (meetwire)"

    async def on_start(self) -> None:
        if self._server is not None:  # Faust starts its web server again after the first assignment
            return
        server = _QuietServer((self.host, self.port), _handler_class(self.routes))
        self._server = server
        self._thread = threading.Thread(target=server.serve_forever, name="meetwire-http", daemon=True)
        self._thread.start()
        log.info("serving %s on %s", ", ".join(sorted(self.routes)), self.web_url)

    async def on_stop(self) -> None:
        server, self._server = self._server, None
        if server is None:
            return
        # shutdown() waits for serve_forever to notice; off the loop, which must keep turning.
        await self.loop.run_in_executor(None, server.shutdown)
        server.server_close()


@dataclass(frozen=True, slots=True)
class Readiness:
    """A readiness verdict; ``reason`` says what is missing (``ready`` when nothing is)."""

    ready: bool
    reason: str


class ConsumerReadiness:
    """Judges readiness from the worker's consumer, on the event loop; read from any thread."""

    def __init__(self, app: AppT, *, topic: str, stall_s: float, progress: Callable[[], Mapping[Any, int]]) -> None:
        self._app = app
        self._topic = topic
        self._stall_s = stall_s
        self._progress = progress
        self._last_progress: dict[Any, int] = {}
        self._progressed_at = float("-inf")
        self.agent_started = False
        """Set by the agent once its extractor is loaded and it reads the stream."""
        self.current = Readiness(ready=False, reason="starting")
        """The latest verdict (one reference, replaced whole: safe to read from the HTTP threads)."""

    def judge(self) -> Readiness:
        now = time.monotonic()
        progress = dict(self._progress())
        if progress != self._last_progress:
            self._last_progress = progress
            self._progressed_at = now
        try:
            self.current = self._verdict(now)
        except Exception as exc:  # noqa: BLE001 - a consumer starting or stopping: not ready, say why
            self.current = Readiness(ready=False, reason=f"consumer unavailable: {type(exc).__name__}")
        return self.current

    def _verdict(self, now: float) -> Readiness:
        if not self.agent_started:
            return Readiness(ready=False, reason="the extractor is loading")
        consumer = self._app.consumer
        assigned = [tp for tp in consumer.assignment() if tp.topic == self._topic]
        if not assigned:
            return Readiness(ready=False, reason=f"no partition of {self._topic} assigned")
        if not consumer.flow_active:  # type: ignore[attr-defined]  # Faust's Consumer has it; ConsumerT not
            return Readiness(ready=False, reason="rebalancing")
        if now - self._progressed_at <= self._stall_s:
            return Readiness(ready=True, reason="ready")
        fetched_ago = time.time() - _last_fetch_response(self._app, assigned)
        if fetched_ago <= self._stall_s:
            return Readiness(ready=True, reason="ready")
        return Readiness(ready=False, reason=f"no fetch response and no record processed for {self._stall_s:g} s")


def _last_fetch_response(app: AppT, partitions: list[Any]) -> float:
    """Unix time of the newest successful fetch response for ``partitions`` (-inf if none)."""
    try:
        # The aiokafka consumer Faust runs on its consumer thread; its fetcher stamps every
        # partition's state with the time of each successful fetch response.
        aiokafka_consumer = app.consumer._thread._consumer  # type: ignore[attr-defined]
        assignment = aiokafka_consumer._fetcher._subscriptions.subscription.assignment
        stamps = [assignment.state_value(TopicPartition(tp.topic, tp.partition)) for tp in partitions]
    except AttributeError:  # not started, or stopping: no consumer to ask
        return float("-inf")
    times = [state.timestamp / 1000 for state in stamps if state is not None and state.timestamp]
    return max(times, default=float("-inf"))


class LoopWatchdog(Service):
    """Every :data:`TICK_S` on the event loop: note that it turned, then run ``on_tick``."""

    def __init__(self, *, on_tick: Callable[[], None], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._on_tick = on_tick
        self.turned_at = time.monotonic()
        """``time.monotonic()`` when the loop last ran the watchdog."""
        self.max_turn_gap_s = 0.0
        """Longest time between two turns seen, for measuring how a busy worker holds the loop."""

    def seconds_since_turn(self) -> float:
        return time.monotonic() - self.turned_at

    async def on_start(self) -> None:
        self.turned_at = time.monotonic()
        self.add_future(self._watch())

    async def _watch(self) -> None:
        while not self.should_stop:
            now = time.monotonic()
            self.max_turn_gap_s = max(self.max_turn_gap_s, now - self.turned_at)
            self.turned_at = now
            self._on_tick()
            await asyncio.sleep(TICK_S)


def live_reply(watchdog: LoopWatchdog, timeout_s: float) -> Reply:
    """``/live``: 200 while the event loop turned within ``timeout_s``, else 503."""
    since = watchdog.seconds_since_turn()
    body = (
        f"the event loop turned {since:.3f} s ago (limit {timeout_s:g} s); "
        f"longest gap between turns {watchdog.max_turn_gap_s:.3f} s (ticks every {TICK_S:g} s)\n"
    ).encode()
    return Reply(HTTPStatus.OK if since <= timeout_s else HTTPStatus.SERVICE_UNAVAILABLE, body)


def ready_reply(readiness: ConsumerReadiness, watchdog: LoopWatchdog, timeout_s: float) -> Reply:
    """``/ready``: 200 while the latest verdict is ready and fresh (the loop still turns), else 503."""
    since = watchdog.seconds_since_turn()
    verdict = readiness.current
    if since > timeout_s:
        verdict = Readiness(ready=False, reason=f"the event loop has not turned for {since:.1f} s")
    status = HTTPStatus.OK if verdict.ready else HTTPStatus.SERVICE_UNAVAILABLE
    return Reply(status, f"{verdict.reason}\n".encode())
