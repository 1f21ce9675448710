"""Endpoint signing secrets: made, kept encrypted, and used to sign (Standard Webhooks).

The signer needs each secret whole (HMAC-SHA256), so it cannot be hashed like a token: it is
kept encrypted (Fernet) under a key derived from WEBHOOKS_ENCRYPTION_KEY, else SECRET_KEY,
and shown to people only when it is made or rotated. Changing that key makes the kept
secrets unreadable: endpoints then need their secret rotated.
"""

from __future__ import annotations

import base64
import secrets
from datetime import datetime

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import current_app
from standardwebhooks.webhooks import Webhook

PREFIX = "whsec_"
SECRET_BYTES = 32  # the specification asks for 24 to 64


class SecretUnreadable(Exception):
    """The kept secret does not decrypt: the encryption key changed since it was made."""


def new_secret() -> str:
    """A fresh signing secret as receivers paste it: whsec_ and base64."""
    return PREFIX + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode()


def seal(secret: str) -> str:
    return _fernet().encrypt(secret.encode()).decode()


def unseal(sealed: str) -> str:
    try:
        return _fernet().decrypt(sealed.encode()).decode()
    except InvalidToken:
        raise SecretUnreadable(
            "The endpoint's secret cannot be read with this deployment's key: rotate it."
        ) from None


def signature(secrets_in_use: list[str], message_id: str, at: datetime, body: str) -> str:
    """The webhook-signature header: one `v1,...` per secret in use, space-separated (the
    old and the new during a rotation's overlap, so receivers switch without a gap)."""
    return " ".join(Webhook(secret).sign(message_id, at, body) for secret in secrets_in_use)


def _fernet() -> Fernet:
    config = current_app.config
    material = (config.get("WEBHOOKS_ENCRYPTION_KEY") or config["SECRET_KEY"]).encode()
    key = HKDF(
        algorithm=hashes.SHA256(), length=32, salt=None, info=b"outgoing webhook secrets"
    ).derive(material)
    return Fernet(base64.urlsafe_b64encode(key))
