"""The small HTTP server the fake providers share: one thread on 127.0.0.1, a free port, a
JSON answer, and a clean stop even with a request still sleeping on an injected delay.

Each fake (tests/fakes/telnyx.py, tests/fakes/stripe.py) keeps its own routes, faults and
shapes; this is only how it is served.
"""

from __future__ import annotations

import json
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Self


class QuietServer(ThreadingHTTPServer):
    daemon_threads = True  # keep-alive connections must not block stop()

    def handle_error(self, request, client_address) -> None:
        # A client that gave up (a timeout under test) closes its end: not the fake's error.
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


class FakeHandler(BaseHTTPRequestHandler):
    """Every method goes to `_serve`; `server_fake` is the fake serving (set per start)."""

    protocol_version = "HTTP/1.1"
    timeout = 30  # an idle keep-alive connection is closed after this
    json_indent: int | None = None
    server_fake: Any

    def do_GET(self) -> None:
        self._serve()

    do_POST = do_DELETE = do_PATCH = do_PUT = do_GET

    def log_message(self, format: str, *args: Any) -> None:
        pass  # keep test output clean

    def _serve(self) -> None:
        raise NotImplementedError

    def send_json(self, status: int, body: Any, headers: dict[str, str]) -> None:
        """`body` as JSON (a str is sent as it is: a fault's malformed body)."""
        if isinstance(body, str):
            data = body.encode()
        else:
            data = json.dumps(body, indent=self.json_indent).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)


class FakeServer:
    """Start, stop and address a fake; a subclass names its `handler` class."""

    handler: type[FakeHandler]

    def __init__(self) -> None:
        super().__init__()
        self._stopping = threading.Event()  # wakes handlers sleeping on a delay
        self._server: QuietServer | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> Self:
        handler = type("Handler", (self.handler,), {"server_fake": self})
        self._stopping.clear()
        self._server = QuietServer(("127.0.0.1", 0), handler)
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @property
    def origin(self) -> str:
        """http://127.0.0.1:<port>, once started."""
        assert self._server is not None, "start() the fake first"
        return f"http://127.0.0.1:{self._server.server_address[1]}"
