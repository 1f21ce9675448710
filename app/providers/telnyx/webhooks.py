"""Verifying Telnyx webhooks: an Ed25519 signature over "{timestamp}|{raw body}".

As Telnyx documents it (and its SDKs implement it): headers `telnyx-signature-ed25519`
(base64 signature) and `telnyx-timestamp` (Unix seconds), checked with the account's public
key from the portal (base64, 32 bytes); deliveries older than five minutes are refused.
"""

from __future__ import annotations

import base64
import binascii
import json
import time
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

TOLERANCE_SECONDS = 300


class WebhookRejected(Exception):
    """The delivery is not provably from Telnyx, or too old: nothing is changed."""


def public_key(text: str) -> Ed25519PublicKey:
    """The account's public key as the portal shows it (base64); ValueError if malformed."""
    try:
        raw = base64.b64decode(text, validate=True)
        return Ed25519PublicKey.from_public_bytes(raw)
    except (binascii.Error, ValueError) as error:
        raise ValueError("not a base64 Ed25519 public key (32 bytes)") from error


def verify(
    raw_body: bytes,
    signature: str | None,
    timestamp: str | None,
    key: Ed25519PublicKey,
    now: float | None = None,
) -> dict[str, Any]:
    """The event's `data` object if the signature holds and the timestamp is fresh."""
    if not signature or not timestamp:
        raise WebhookRejected("Missing telnyx-signature-ed25519 or telnyx-timestamp header.")
    try:
        sent_at = int(timestamp)
        key.verify(base64.b64decode(signature, validate=True), timestamp.encode() + b"|" + raw_body)
    except (ValueError, binascii.Error, InvalidSignature):
        raise WebhookRejected("The signature does not match this body.") from None
    if abs((now if now is not None else time.time()) - sent_at) > TOLERANCE_SECONDS:
        raise WebhookRejected("The delivery is too old (or from the future).")
    try:
        event = json.loads(raw_body)
    except (ValueError, RecursionError):  # a signed body nested too deep is still refused
        raise WebhookRejected("The body is not JSON.") from None
    data = event.get("data") if isinstance(event, dict) else None
    if not isinstance(data, dict) or not isinstance(data.get("id"), str):
        raise WebhookRejected("The body is not a Telnyx event.")
    return data
