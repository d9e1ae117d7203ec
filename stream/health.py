"""The worker's HTTP surface: ``/metrics`` and nothing else, on a thread of its own.

Faust's own web server (aiohttp, on the event loop) serves its views next to ours, without
login: ``/router/topics`` lists the worker's partition assignment, ``/table/...`` its tables,
and ``/router/<unknown>/`` answers 500 with a ``KeyError`` traceback in the log. Faust lets an
app replace that server (``App.web_server``); this one is the standard library's
``ThreadingHTTPServer`` on a daemon thread. Every path it does not know is a 404 with a
one-line body, every method but GET and HEAD a 501, and nothing reaches the log but errors.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from mode import Service

log = logging.getLogger(__name__)

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
            self.send_response(reply.status)
            self.send_header("Content-Type", reply.content_type)
            self.send_header("Content-Length", str(len(reply.body)))
            self.end_headers()
            if send_body:
                self.wfile.write(reply.body)

        def log_message(self, format: str, *args: Any) -> None:
            # One line per probe and scrape would be most of the log; errors still come here.
            log.debug("HTTP %s: " + format, self.address_string(), *args)

    return Handler


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
        server = ThreadingHTTPServer((self.host, self.port), _handler_class(self.routes))
        server.daemon_threads = True
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
