"""A team's webhook receiver on 127.0.0.1, written the way the Standard Webhooks
specification tells receivers to be (https://github.com/standard-webhooks/standard-webhooks,
spec/standard-webhooks.md, "Verifying signatures"): it verifies each request with the
`standardwebhooks` library and the endpoint's secret, refuses a stale or forged one, and
uses `webhook-id` as an idempotency key, handling each event once however often it comes.

Awkward cases on request: `answers` is a queue of statuses to give before a 2xx (500, 503
with Retry-After, 410 Gone, a 302 redirect), and `delay` answers late.
"""

from __future__ import annotations

import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import NamedTuple

from standardwebhooks.webhooks import Webhook, WebhookVerificationError


class Received(NamedTuple):
    headers: dict[str, str]
    body: bytes
    verified: bool
    status: int


class Receiver:
    def __init__(self, secret: str | None = None):
        self.secrets: list[str] = [secret] if secret else []
        self.answers: list[int] = []  # statuses to give first, in order
        self.location = "http://127.0.0.1:9/elsewhere"  # where a 3xx answer points
        self.delay = 0.0
        self.received: list[Received] = []
        self.handled: dict[str, dict] = {}  # webhook-id -> the event, processed once
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_port}/hooks?from=desk"

    @property
    def port(self) -> int:
        return self._server.server_port

    def __enter__(self) -> Receiver:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 (http.server's name)
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                receiver._answer(self, body)

            def log_message(self, *_args):
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *_exc) -> None:
        self._server.shutdown()
        self._server.server_close()

    def _verify(self, headers: dict[str, str], body: bytes) -> dict | None:
        for secret in self.secrets:
            try:
                return Webhook(secret).verify(body, headers)
            except WebhookVerificationError:
                continue
        return None

    def _answer(self, handler: BaseHTTPRequestHandler, body: bytes) -> None:
        if self.delay:
            time.sleep(self.delay)
        headers = {k.lower(): v for k, v in handler.headers.items()}
        event = self._verify(headers, body)
        with self._lock:
            status = self.answers.pop(0) if self.answers else (200 if event else 401)
            if status < 300 and event is not None:
                self.handled.setdefault(headers["webhook-id"], event)
            self.received.append(Received(headers, body, event is not None, status))
        text = b"thanks" if status < 300 else f"status {status}\x00 from the receiver".encode()
        try:
            handler.send_response(status)
            if 300 <= status < 400:
                handler.send_header("Location", self.location)
            if status == 503:
                handler.send_header("Retry-After", "120")
            handler.send_header("Content-Length", str(len(text)))
            handler.end_headers()
            handler.wfile.write(text)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the sender gave up waiting (a late answer)
