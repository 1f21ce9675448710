"""Stripe's wire formats for tests: bracketed form bodies, error bodies, signed webhook events.

Where each shape comes from:
- Form bodies: stripe-python's `_encode.py` (`_api_encode`) sends nested params as
  `metadata[team_id]=...` and lists as `line_items[0][price]=...`.
- Error body: https://docs.stripe.com/api/errors ({"error": {"type", "code", "message",
  "param"}}); messages as Stripe words them, e.g. "No such price: 'price_x'" with param
  `line_items[0][price]`, or "No such customer: 'cus_x'" with param `customer` (Stripe
  answers quoted in public GitHub issues).
- Event: https://docs.stripe.com/api/events/object (id, object, api_version, created,
  data.object, data.previous_attributes, livemode, pending_webhooks, request, type).
- Signature: https://docs.stripe.com/webhooks#verify-manually, and stripe-python's
  `WebhookSignature`: `Stripe-Signature: t=<unix>,v1=<hex HMAC-SHA256 of "<t>.<body>">`
  keyed with the endpoint secret. Computed here independently of the library on purpose.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import secrets
import string
import time
from typing import Any
from urllib.parse import parse_qsl

import requests

API_VERSION = "2025-06-30.basil"  # any dated version: the provider reads no version-specific field
_KEY = re.compile(r"^([^\[\]]+)((?:\[[^\[\]]*\])*)$")
_SEGMENT = re.compile(r"\[([^\[\]]*)\]")
_ALPHABET = string.ascii_letters + string.digits


def new_id(prefix: str, length: int = 24) -> str:
    """A Stripe-looking id, e.g. cus_Q3x... (random, so ids never collide between tests)."""
    return f"{prefix}_" + "".join(secrets.choice(_ALPHABET) for _ in range(length))


def decode_form(text: str) -> dict[str, Any]:
    """`a[b][0][c]=v&...` into {"a": {"b": [{"c": "v"}]}}; every leaf stays a string."""
    root: dict[str, Any] = {}
    for key, value in parse_qsl(text, keep_blank_values=True):
        match = _KEY.match(key)
        path = [match.group(1), *_SEGMENT.findall(match.group(2))] if match else [key]
        node = root
        for depth, part in enumerate(path):
            part = part or str(len(node))  # "expand[]" appends
            if depth == len(path) - 1:
                node[part] = value
            else:
                node = node.setdefault(part, {})
    return _listify(root)


def _listify(value: Any) -> Any:
    """Dicts keyed 0..n-1 become lists, as Stripe reads `line_items[0]`."""
    if not isinstance(value, dict):
        return value
    value = {key: _listify(item) for key, item in value.items()}
    if value and all(key.isdigit() for key in value):
        return [value[key] for key in sorted(value, key=int)]
    return value


def error_body(
    message: str,
    *,
    type: str = "invalid_request_error",
    code: str | None = None,
    param: str | None = None,
) -> dict[str, Any]:
    """Stripe's error envelope; doc_url is present whenever there is a code."""
    error: dict[str, Any] = {"type": type, "message": message}
    if code:
        error["code"] = code
        error["doc_url"] = f"https://stripe.com/docs/error-codes/{code.replace('_', '-')}"
    if param:
        error["param"] = param
    return {"error": error}


def make_event(
    event_type: str,
    obj: dict[str, Any],
    *,
    previous_attributes: dict[str, Any] | None = None,
    created: int | None = None,
    event_id: str | None = None,
) -> dict[str, Any]:
    """A snapshot event as Stripe sends it to a webhook endpoint."""
    data: dict[str, Any] = {"object": obj}
    if previous_attributes is not None:
        data["previous_attributes"] = previous_attributes
    return {
        "id": event_id or new_id("evt"),
        "object": "event",
        "api_version": API_VERSION,
        "created": int(time.time()) if created is None else created,
        "data": data,
        "livemode": False,
        "pending_webhooks": 1,
        "request": {"id": None, "idempotency_key": None},
        "type": event_type,
    }


def sign(payload: bytes | str, secret: str, timestamp: int | None = None) -> str:
    """The Stripe-Signature header value for payload, signed now unless timestamp is given."""
    body = payload.decode() if isinstance(payload, bytes) else payload
    stamp = int(time.time()) if timestamp is None else timestamp
    digest = hmac.new(secret.encode(), f"{stamp}.{body}".encode(), hashlib.sha256).hexdigest()
    return f"t={stamp},v1={digest}"


def signed(event: dict[str, Any], secret: str, timestamp: int | None = None) -> tuple[bytes, str]:
    """The exact bytes Stripe would POST for event, and their Stripe-Signature header."""
    payload = json.dumps(event, indent=2).encode()  # Stripe pretty-prints its webhook bodies
    return payload, sign(payload, secret, timestamp)


def deliver(
    url: str,
    event: dict[str, Any],
    secret: str,
    *,
    timestamp: int | None = None,
    timeout: float = 10.0,
) -> requests.Response:
    """POSTs event to a webhook endpoint, signed as Stripe signs it."""
    payload, header = signed(event, secret, timestamp)
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        "Stripe-Signature": header,
        "User-Agent": "Stripe/1.0 (+https://stripe.com/docs/webhooks)",
    }
    return requests.post(url, data=payload, headers=headers, timeout=timeout)
