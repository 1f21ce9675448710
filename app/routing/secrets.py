"""Secrets the app must use again (SIP passwords, webhook signing keys), kept encrypted.

The key comes from ROUTING_SECRET_KEY when set (a Fernet key, so it can be rotated apart
from sessions), else it is derived from SECRET_KEY: changing either makes stored SIP
passwords unreadable (re-enter them) and changes every assistant's webhook signing secret.
"""

from __future__ import annotations

import base64
import hashlib
import hmac

from cryptography.fernet import Fernet, InvalidToken
from flask import current_app


def _fernet() -> Fernet:
    key = current_app.config.get("ROUTING_SECRET_KEY")
    if not key:
        digest = hashlib.sha256(b"routing-secrets:" + _secret_key()).digest()
        key = base64.urlsafe_b64encode(digest)
    return Fernet(key)


def _secret_key() -> bytes:
    return str(current_app.config["SECRET_KEY"]).encode()


def encrypt(plain: str) -> str:
    return _fernet().encrypt(plain.encode()).decode()


def decrypt(token: str | None) -> str | None:
    """The plain text, or None if there is none or the key has changed since."""
    if not token:
        return None
    try:
        return _fernet().decrypt(token.encode()).decode()
    except InvalidToken:
        return None


def masked(secret: str | None) -> str | None:
    """What pages and answers show of a password: that there is one, never what it is."""
    return None if not secret else "••••••••"


def signing_secret(assistant_id: str) -> str:
    """The assistant's webhook signing secret (Standard Webhooks' whsec_ form), derived so it
    needs no storage: the same for as long as SECRET_KEY is."""
    raw = hmac.new(_secret_key(), f"webhook-signing:{assistant_id}".encode(), "sha256").digest()
    return "whsec_" + base64.b64encode(raw[:24]).decode()


def digest_of(token: str | None) -> str | None:
    """A short fingerprint of an encrypted secret, so History can say it changed."""
    plain = decrypt(token)
    if plain is None:
        return None
    return hmac.new(_secret_key(), plain.encode(), "sha256").hexdigest()[:8]
