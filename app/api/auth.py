"""Bearer-token authentication for the API, and the team a request acts for."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import TypeVar

from flask import g, request

from app.accounts.roles import Actor, Permission
from app.accounts.scopes import Scope
from app.accounts.teams import actor_for
from app.accounts.tokens import TokenHolder, bearer_token, holder_for_token, refusal
from app.exceptions import Unauthorized, ValidationFailed
from app.extensions import db
from app.models import User

F = TypeVar("F", bound=Callable)


def token_required(scope: Scope) -> Callable[[F], F]:
    """Let the view run only for a live bearer token with `scope`; g.api_user is its user.

    The one place an API operation names its scope (`@token_required(NUMBERS_BUY)`); the
    OpenAPI document reads it from the view. The scope is checked as soon as the token is
    known, before the view reads its body or its team, so a token without it changes nothing
    and claims no Idempotency-Key (the role in the team is checked later, as before).
    """
    if not isinstance(scope, Scope):
        raise TypeError("Name the scope the view needs: @token_required(scopes.NUMBERS_READ)")

    def decorate(view: F) -> F:
        @wraps(view)
        def wrapped(*args, **kwargs):
            if bearer_token(request.headers.get("Authorization")) is None:
                raise Unauthorized("Send an API token as 'Authorization: Bearer <token>'.")
            holder = token_holder()
            if holder is None:
                raise Unauthorized(refusal(bearer_token(request.headers.get("Authorization"))))
            holder.require(scope)
            g.api_user = holder.user
            return view(*args, **kwargs)

        wrapped.required_scope = scope  # type: ignore[attr-defined]  (copied by outer @wraps)
        return wrapped  # type: ignore[return-value]

    return decorate


def read_only(view: F) -> F:
    """Mark a view that only reads (a search, say, though it is a POST): like a GET, its
    statements run without a transaction (reads_alone). Put it outside the rate limit, whose
    key looks the token up."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        g.read_only = True
        return view(*args, **kwargs)

    return wrapped  # type: ignore[return-value]


def single_statements(view: F) -> F:
    """Mark a view whose writes are each one statement, atomic on its own (a caller-ID claim
    re-checks the cap in the row it writes): like a read, it runs without a transaction
    (reads_alone), which saves the BEGIN and COMMIT round trips. Outside the rate limit too."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        g.read_only = True  # what token_holder reads: no transaction for this request
        return view(*args, **kwargs)

    return wrapped  # type: ignore[return-value]


def token_holder() -> TokenHolder | None:
    """The request's token holder, looked up once per request (the rate limiter may ask
    first). The team the request names is looked up in the same query, so authorising
    it costs no second round trip."""
    if "token_holder" not in g:
        token = bearer_token(request.headers.get("Authorization"))
        reading = request.method == "GET" or g.get("read_only", False)
        if token and reading and not db.session().in_transaction():
            reads_alone()
        g.token_holder = (
            holder_for_token(token, _named_team(), request.remote_addr) if token else None
        )
    return g.token_holder


def reads_alone() -> None:
    """Run this request's statements without a transaction until something commits.

    A GET reads, one statement at a time: a transaction around them adds BEGIN and ROLLBACK,
    two round trips more than the one query a cached list needs. The first commit (a token's
    last-used time, or app.numbers.managing settling an order) hands the connection back, and
    reset to the pool's own isolation level: writes after it have their transactions again.
    """
    db.session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})


def _named_team() -> object:
    # Only a guess to fetch along with the token: api_actor checks the real teamId.
    team_id = request.args.get("teamId")
    if team_id is None and request.is_json:
        body = request.get_json(silent=True)
        team_id = body.get("teamId") if isinstance(body, dict) else None
    return team_id


def api_user() -> User:
    return g.api_user


def api_actor(team_id: object, needs: Permission | None = None) -> Actor:
    """The token's user acting for `teamId` (404 team_not_found unless they are in it).

    `needs` refuses a role without that permission here, before an Idempotency-Key is
    claimed (the service checks again; a refusal by role is not an answer worth replaying).
    """
    if not isinstance(team_id, str) or not team_id:
        raise ValidationFailed({"teamId": "Team id is required."})
    holder = token_holder()
    known = None
    if holder is not None and holder.team_id == team_id:
        known = [holder.membership] if holder.membership else []
    actor = actor_for(api_user(), team_id, known)
    if needs is not None:
        actor.require(needs)
    return actor
