"""Bearer-token authentication for the API, and the team a request acts for."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import TypeVar

from flask import g, request

from app.accounts.roles import Actor, Permission
from app.accounts.teams import actor_for
from app.accounts.tokens import bearer_token, user_for_token
from app.exceptions import Unauthorized, ValidationFailed
from app.models import User

F = TypeVar("F", bound=Callable)


def token_required(view: F) -> F:
    """Let the view run only for a live bearer token; g.api_user is its user."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        token = bearer_token(request.headers.get("Authorization"))
        if token is None:
            raise Unauthorized("Send an API token as 'Authorization: Bearer <token>'.")
        # The rate limiter may have looked the token up already (app.ratelimit).
        user = g.token_user if "token_user" in g else user_for_token(token)
        if user is None:
            raise Unauthorized("The API token is not valid or has been revoked.")
        g.api_user = user
        return view(*args, **kwargs)

    return wrapped  # type: ignore[return-value]


def api_user() -> User:
    return g.api_user


def api_actor(team_id: object, needs: Permission | None = None) -> Actor:
    """The token's user acting for `teamId` (404 team_not_found unless they are in it).

    `needs` refuses a role without that permission here, before an Idempotency-Key is
    claimed (the service checks again; a refusal by role is not an answer worth replaying).
    """
    if not isinstance(team_id, str) or not team_id:
        raise ValidationFailed({"teamId": "Team id is required."})
    actor = actor_for(api_user(), team_id)
    if needs is not None:
        actor.require(needs)
    return actor
