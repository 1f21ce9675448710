"""Bearer-token authentication for the API."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import TypeVar

from flask import g, request

from app.accounts import user_for_token
from app.errors import ServiceError
from app.models import User

F = TypeVar("F", bound=Callable)


class Unauthorized(ServiceError):
    code = "unauthorized"


def token_required(view: F) -> F:
    """Let the view run only for a live bearer token; g.api_user is its user."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        scheme, _, token = request.headers.get("Authorization", "").partition(" ")
        token = token.strip()
        if scheme.lower() != "bearer" or not token:
            raise Unauthorized("Send an API token as 'Authorization: Bearer <token>'.")
        user = user_for_token(token)
        if user is None:
            raise Unauthorized("The API token is not valid or has been revoked.")
        g.api_user = user
        return view(*args, **kwargs)

    return wrapped  # type: ignore[return-value]


def api_user() -> User:
    return g.api_user
