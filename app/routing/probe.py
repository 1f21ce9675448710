"""A signed test event sent to an assistant's webhook, to show it answers and how fast.

Signed the Standard Webhooks way (standardwebhooks.com): headers `webhook-id`,
`webhook-timestamp` (Unix seconds) and `webhook-signature: v1,<base64 HMAC-SHA256>` of
"<id>.<timestamp>.<body>", keyed with the base64 part of the assistant's `whsec_` secret.
The receiver checks the signature and that the timestamp is recent (5 minutes).

Safety: 5 s timeout, no redirects followed, and unless WEBHOOKS_ALLOW_PRIVATE is on, every
address the host resolves to must be public (no loopback, private, link-local or metadata
addresses), so the test cannot be pointed at the platform's own network.
"""

from __future__ import annotations

import base64
import hmac
import json
import socket
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

import requests
from flask import current_app

from app.ids import new_id
from app.routing.destinations import is_private_host

TIMEOUT = 5.0
MAX_SHOWN = 300


@dataclass(frozen=True)
class Probe:
    """What the webhook answered: its HTTP status (None if it never answered), how long it
    took, the start of its answer, and why it failed (None when it answered 2xx)."""

    url: str
    status: int | None
    latency_ms: int
    answer: str
    error: str | None

    @property
    def ok(self) -> bool:
        return self.error is None

    def as_json(self) -> dict:
        return {
            "url": self.url,
            "status": self.status,
            "latencyMs": self.latency_ms,
            "answer": self.answer,
            "error": self.error,
        }


def sign(secret: str, message_id: str, timestamp: int, body: bytes) -> str:
    key = base64.b64decode(secret.removeprefix("whsec_"))
    signed = f"{message_id}.{timestamp}.".encode() + body
    return "v1," + base64.b64encode(hmac.new(key, signed, "sha256").digest()).decode()


def send_test_event(url: str, secret: str, event: dict) -> Probe:
    allow_private = current_app.config["WEBHOOKS_ALLOW_PRIVATE"]
    if not allow_private and (refusal := _private(url)):
        return Probe(url, None, 0, "", refusal)
    body = json.dumps(event, separators=(",", ":")).encode()
    message_id, timestamp = new_id("msg"), int(time.time())
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "caller-id-desk-routing-test/1",
        "webhook-id": message_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": sign(secret, message_id, timestamp, body),
    }
    start = time.perf_counter()
    try:
        response = requests.post(
            url, data=body, headers=headers, timeout=TIMEOUT, allow_redirects=False, stream=True
        )
        text = response.raw.read(MAX_SHOWN * 4, decode_content=True).decode("utf-8", "replace")
        response.close()
    except requests.Timeout:
        return Probe(url, None, _ms(start), "", f"No answer within {TIMEOUT:g} seconds.")
    except requests.RequestException as error:
        reason = type(error).__name__.replace("Error", " error").strip()
        return Probe(url, None, _ms(start), "", f"Could not connect ({reason}).")
    latency = _ms(start)
    shown = text[:MAX_SHOWN]
    if 300 <= response.status_code < 400:
        return Probe(
            url, response.status_code, latency, shown, "It redirected; redirects are not followed."
        )
    if not 200 <= response.status_code < 300:
        return Probe(
            url, response.status_code, latency, shown, f"It answered {response.status_code}."
        )
    return Probe(url, response.status_code, latency, shown, None)


def _ms(start: float) -> int:
    return round((time.perf_counter() - start) * 1000)


def _private(url: str) -> str | None:
    """Why the URL may not be called (it resolves to a private address), or None."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if is_private_host(host):
        return "Its address is on a private network."
    try:
        infos = socket.getaddrinfo(host, parts.port or 443, proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError):
        return f"Its host name ({host}) does not resolve."
    if any(is_private_host(info[4][0]) for info in infos):
        return "Its host name resolves to a private network address."
    return None
