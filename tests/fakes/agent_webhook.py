"""A team's own agent server, on 127.0.0.1: it receives the routing test's signed event.

Shaped after the Standard Webhooks specification (github.com/standard-webhooks/
standard-webhooks, spec/standard-webhooks.md): it checks `webhook-id`, `webhook-timestamp`
and `webhook-signature` ("v1,<base64 HMAC-SHA256 of id.timestamp.body>") with the
receiver's `whsec_` secret, answers 401 to a bad signature, and can be told to answer
slowly, fail with a status, or redirect (which the sender must not follow).
"""

from __future__ import annotations

import base64
import hmac
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class AgentWebhook:
    def __init__(self, secret: str):
        self.secret = secret
        self.received: list[dict] = []
        self.status = 200
        self.delay = 0.0
        self.redirect_to: str | None = None
        agent = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 (http.server's name)
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                verified = agent.verify(self.headers, body)
                agent.received.append(
                    {"headers": dict(self.headers), "body": json.loads(body), "verified": verified}
                )
                time.sleep(agent.delay)
                if agent.redirect_to:
                    self.send_response(307)
                    self.send_header("Location", agent.redirect_to)
                    self.end_headers()
                    return
                status = agent.status if verified else 401
                answer = json.dumps({"ok": verified, "agent": "front-desk"}).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/calls"

    def verify(self, headers, body: bytes) -> bool:
        message_id, stamp = headers.get("webhook-id"), headers.get("webhook-timestamp")
        if not message_id or not stamp or abs(time.time() - int(stamp)) > 300:
            return False
        key = base64.b64decode(self.secret.removeprefix("whsec_"))
        signed = f"{message_id}.{stamp}.".encode() + body
        expected = base64.b64encode(hmac.new(key, signed, "sha256").digest()).decode()
        given = [part.split(",", 1)[1] for part in headers.get("webhook-signature", "").split()]
        return any(hmac.compare_digest(expected, g) for g in given)

    def __enter__(self) -> AgentWebhook:
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()
