"""API tokens: issued per user, only a hash stored, the plain token shown once."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa

from app.accounts.scopes import Scope, chosen_scopes, grantable
from app.exceptions import InsufficientScope, NotFound, ValidationFailed
from app.extensions import db
from app.ids import is_id
from app.models import ApiToken, Membership, Role, Team, User, utcnow
from app.text import one_line

TOKEN_PREFIX = "tt_"
MAX_TOKEN_NAME = 120
# Live (unrevoked) tokens one person may hold: enough for every service they run, and a
# bound on what a stolen session can mint.
MAX_LIVE_TOKENS = 20
# last_used_at is written at most this often, so a busy token is not a write per request.
LAST_USED_RESOLUTION = timedelta(minutes=1)
# How long a new token may live, in days, as the tokens page offers it (None: never expires).
EXPIRY_CHOICES: tuple[int | None, ...] = (30, 90, 365, None)


@dataclass(frozen=True)
class IssuedToken:
    token: ApiToken
    plain: str


def bearer_token(authorization: str | None) -> str | None:
    """The token in an `Authorization: Bearer <token>` header, or None."""
    scheme, _, token = (authorization or "").partition(" ")
    token = token.strip()
    return token if scheme.lower() == "bearer" and token else None


def clean_token_name(name: object) -> str:
    cleaned = one_line(name, "name") if isinstance(name, str) else ""
    if not cleaned:
        raise ValidationFailed(
            {"name": "Give the token a name, so you know later where it is used."}
        )
    if len(cleaned) > MAX_TOKEN_NAME:
        raise ValidationFailed({"name": f"A token name is at most {MAX_TOKEN_NAME} characters."})
    return cleaned


def roles_of(user: User) -> list[Role]:
    """The user's role in each of their teams: what caps the scopes their tokens may have."""
    query = sa.select(Membership.role).where(Membership.user_id == user.id)
    return [Role(role) for role in db.session.scalars(query)]


def clean_expiry(days: object) -> int | None:
    """The days a new token lives, from the form's choice ("30", "never"); ValidationFailed
    for anything it does not offer."""
    if days in (None, "", "never"):
        return None
    if isinstance(days, str) and days.isascii() and days.isdigit() and int(days) in EXPIRY_CHOICES:
        return int(days)
    if isinstance(days, int) and days in EXPIRY_CHOICES:
        return days
    raise ValidationFailed(
        {"expires": "Choose when the token expires: 30, 90 or 365 days, or never."}
    )


def issue_token(
    user: User,
    name: str = "",
    *,
    scopes: Iterable[str] | None,
    plain: str | None = None,
    expires_in_days: int | None = None,
) -> IssuedToken:
    """Make a token for the user; only its hash is stored, `plain` is shown once.

    `scopes` are checked against the user's roles (app.accounts.scopes); None makes a token
    with every scope, now and later, as tokens made before scopes have (the demo's token).
    `expires_in_days` (one of EXPIRY_CHOICES): after that the API refuses it with a 401.
    """
    name = one_line(name, "name")[:MAX_TOKEN_NAME]
    expires_in_days = clean_expiry(expires_in_days)
    stored = None if scopes is None else chosen_scopes(scopes, roles_of(user))
    live = db.session.scalar(
        sa.select(sa.func.count()).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
    )
    if live >= MAX_LIVE_TOKENS:
        raise ValidationFailed(
            {
                "name": f"You have {live} live API tokens, the most one person may hold: "
                "revoke one you no longer use, then make a new one."
            }
        )
    plain = plain or TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        user_id=user.id,
        name=name,
        token_hash=hash_token(plain),
        display_prefix=plain[:10],
        scopes=stored,
        expires_at=None if expires_in_days is None else utcnow() + timedelta(expires_in_days),
    )
    db.session.add(token)
    db.session.commit()
    return IssuedToken(token, plain)


@dataclass(frozen=True)
class TokenHolder:
    """A live token's user and, when the request named a team, their place in it."""

    user: User
    team_id: str | None  # the team asked about along with the token, if any
    membership: tuple[Team, Role] | None  # that team and the user's role; None if not in it
    scopes: frozenset[str] | None  # None: every scope (made before scopes, or the demo's)
    label: str  # how an answer names the token: its name and first characters
    token_id: str | None = None

    def require(self, scope: Scope) -> None:
        """Refuse a call the token's scopes do not cover (its role is checked later)."""
        if self.scopes is not None and scope.name not in self.scopes:
            only = None if scope in grantable_to(self.user) else scope.holders()
            raise InsufficientScope(scope.name, self.label, only)


def grantable_to(user: User) -> list[Scope]:
    """The scopes the user may give a token now, by their roles in all their teams."""
    return grantable(roles_of(user))


# Built once: every API request runs one of these, and building a statement costs about as
# much Python time as running it.
_HOLDER = (
    sa.select(
        ApiToken.id,
        ApiToken.last_used_at,
        User,
        ApiToken.scopes,
        ApiToken.name,
        ApiToken.display_prefix,
    )
    .join(User, User.id == ApiToken.user_id)
    .where(
        ApiToken.token_hash == sa.bindparam("token_hash"),
        ApiToken.revoked_at.is_(None),
        sa.or_(ApiToken.expires_at.is_(None), ApiToken.expires_at > sa.bindparam("now")),
    )
)
_HOLDER_IN_TEAM = (
    _HOLDER.add_columns(Team, Membership.role)
    .outerjoin(
        Membership,
        sa.and_(Membership.user_id == User.id, Membership.team_id == sa.bindparam("team_id")),
    )
    .outerjoin(Team, Team.id == Membership.team_id)
)


def holder_for_token(
    plain: str, team_id: str | None = None, ip: str | None = None
) -> TokenHolder | None:
    """The live token's user (and their team `team_id`, if asked) in one round trip; None for
    a token that is unknown, revoked or expired. Records when (and from which address `ip`)
    the token was last used, at most once a minute."""
    if not is_id("team", team_id):
        team_id = None
    now = utcnow()
    params = {"token_hash": hash_token(plain), "now": now}
    if team_id is not None:
        params["team_id"] = team_id
    query = _HOLDER if team_id is None else _HOLDER_IN_TEAM
    row = db.session.execute(query, params).first()
    if row is None:
        return None
    token_id, last_used, user, scopes, name, prefix = row[:6]
    membership = (row[6], Role(row[7])) if team_id is not None and row[6] is not None else None
    if last_used is None or now - last_used > LAST_USED_RESOLUTION:
        db.session.execute(
            sa.update(ApiToken)
            .where(ApiToken.id == token_id)
            .values(last_used_at=now, last_used_ip=(ip or None) and ip[:45])
        )
        db.session.commit()
    label = f"“{name}”, {prefix}…" if name else f"{prefix}…"
    return TokenHolder(
        user, team_id, membership, None if scopes is None else frozenset(scopes), label, token_id
    )


def refusal(plain: str) -> str:
    """Why the API refuses this token: said apart for an expired one, so its owner knows to
    make a new one rather than hunt for a typo. Only asked once a token is refused."""
    expires_at = db.session.scalar(
        sa.select(ApiToken.expires_at).where(
            ApiToken.token_hash == hash_token(plain), ApiToken.revoked_at.is_(None)
        )
    )
    if expires_at is not None and expires_at <= utcnow():
        return (
            f"The API token expired at {expires_at:%Y-%m-%d %H:%M} UTC: "
            "make a new one on the API tokens page."
        )
    return "The API token is not valid or has been revoked."


def user_for_token(plain: str) -> User | None:
    """The user a live token acts for, or None; records when the token was last used."""
    holder = holder_for_token(plain)
    return holder.user if holder else None


def hash_token(plain: str) -> str:
    # Tokens carry 256 random bits, so a fast hash is enough; no salt is needed to look one up.
    return hashlib.sha256(plain.encode()).hexdigest()


def derived_token(secret_key: str, purpose: str) -> str:
    """A token that can be shown again without being stored: HMAC of the app's secret."""
    digest = hmac.new(secret_key.encode(), purpose.encode(), hashlib.sha256).hexdigest()
    return TOKEN_PREFIX + digest


def tokens_for_user(user: User) -> list[ApiToken]:
    """The user's tokens, newest first, revoked ones included."""
    query = (
        sa.select(ApiToken)
        .where(ApiToken.user_id == user.id)
        .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())
    )
    return list(db.session.scalars(query))


def revoke_token(user: User, token_id: str) -> ApiToken:
    """Revoke one of the user's own tokens; NotFound for anyone else's. Twice is harmless."""
    token = None
    if is_id("tok", token_id):
        token = db.session.scalar(
            sa.select(ApiToken).where(ApiToken.id == token_id, ApiToken.user_id == user.id)
        )
    if token is None:
        raise NotFound("Token not found.")
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        db.session.commit()
    return token
