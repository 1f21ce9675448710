"""Links that leave the site (in emails): absolute, signed, and built on BASE_URL.

The address comes from BASE_URL, never from a stranger's request, so someone who sends
"Host: evil.example" with a password-reset request cannot get a link to their own site
mailed to someone else. The same code builds links from the command line and in jobs
(trial notices, every email), where there is no request at all.

Without BASE_URL (development: `make run PORT=7200`) the links follow the address the app
is served at: the host and port of a request made from this machine to a loopback address,
remembered for the jobs that compose the emails later. Only a loopback client naming a
loopback host is believed, so from elsewhere the fallback stays http://127.0.0.1:5000.
"""

from __future__ import annotations

import hashlib
from typing import Any
from urllib.parse import urlsplit

from flask import current_app, has_request_context, request
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer


class LinkInvalid(Exception):
    """A signed link that is forged, expired, already used or withdrawn; says which, politely."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


DEVELOPMENT_URL = "http://127.0.0.1:5000"
_LOOPBACK = frozenset({"127.0.0.1", "::1", "localhost"})


def site_url() -> str:
    """BASE_URL, else where this process was last reached from its own machine."""
    configured = current_app.config.get("BASE_URL")
    if configured:
        return configured
    if has_request_context():
        remember_served_at()
    return current_app.extensions.get("served_at", DEVELOPMENT_URL)


def remember_served_at() -> None:
    """Keep the request's own address when it is a local one (before every request, when
    BASE_URL is unset): the jobs sending the emails have no request to ask."""
    host = urlsplit(request.host_url).hostname or ""
    if request.remote_addr in _LOOPBACK and (host in _LOOPBACK or host.startswith("127.")):
        current_app.extensions["served_at"] = request.host_url.rstrip("/")


def external_url(endpoint: str, **values: Any) -> str:
    """The absolute URL of a route on BASE_URL (or, without it, where the app is served)."""
    base = urlsplit(site_url())
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
