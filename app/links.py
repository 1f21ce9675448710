"""Links that leave the site (in emails): absolute, signed, and built on BASE_URL.

The address always comes from BASE_URL, never from the request, so a stranger who sends
"Host: evil.example" with a password-reset request cannot get a link to their own site
mailed to someone else. The same code builds links from the command line (trial notices).
"""

from __future__ import annotations

import hashlib
from typing import Any
from urllib.parse import urlsplit

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer


class LinkInvalid(Exception):
    """A signed link that is forged, expired, already used or withdrawn; says which, politely."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def external_url(endpoint: str, **values: Any) -> str:
    """The absolute URL of a route on BASE_URL."""
    base = urlsplit(current_app.config["BASE_URL"])
    adapter = current_app.url_map.bind(
        base.netloc, script_name=base.path or "/", url_scheme=base.scheme
    )
    return adapter.build(endpoint, values, force_external=True)


def _serializer(purpose: str) -> URLSafeTimedSerializer:
    # The purpose is the salt: a token made for one kind of link is refused by every other.
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=purpose)


def sign(purpose: str, payload: dict[str, Any]) -> str:
    return _serializer(purpose).dumps(payload)


def unsign(purpose: str, token: str, max_age: int, expired: str) -> dict[str, Any]:
    """The payload of a token signed for this purpose within max_age seconds; else LinkInvalid
    (`expired` is the sentence for a link that was real but is too old)."""
    try:
        payload = _serializer(purpose).loads(token, max_age=max_age)
    except SignatureExpired:
        raise LinkInvalid(expired) from None
    except BadSignature:
        raise LinkInvalid("This link is not valid. Copy the whole link from the email.") from None
    if not isinstance(payload, dict):
        raise LinkInvalid("This link is not valid. Copy the whole link from the email.")
    return payload


def stamp(value: str) -> str:
    """A short one-way digest of something a link depends on (a password hash, say): the link
    stops working when that changes, and the link reveals nothing about it."""
    return hashlib.sha256(value.encode()).hexdigest()[:20]
