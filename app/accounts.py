"""Teams, users, memberships and API tokens: creating them and finding them for a caller."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import timedelta
from functools import cache

import sqlalchemy as sa
from werkzeug.security import check_password_hash, generate_password_hash

from app.errors import NotFound, ServiceError, TeamNotFound
from app.extensions import db
from app.ids import is_id
from app.models import ROLES, ApiToken, Membership, Team, User, utcnow
from app.plans import PLAN_KEYS, PLANS

TOKEN_PREFIX = "tt_"
# last_used_at is written at most this often, so a busy token is not a write per request.
LAST_USED_RESOLUTION = timedelta(minutes=1)


@dataclass(frozen=True)
class IssuedToken:
    token: ApiToken
    plain: str


def team_for_user(user: User, team_id: str) -> Team:
    """The team if the user is a member of it; TeamNotFound otherwise (never says which)."""
    if not is_id("team", team_id):
        raise TeamNotFound()
    team = db.session.scalar(
        sa.select(Team).join(Membership).where(Team.id == team_id, Membership.user_id == user.id)
    )
    if team is None:
        raise TeamNotFound()
    return team


def create_team(name: str, plan: str = "free") -> Team:
    name = name.strip()
    if not name:
        raise ServiceError("A team needs a name.")
    _check_plan(plan)
    team = Team(name=name, plan=plan)
    db.session.add(team)
    db.session.commit()
    return team


def set_plan(team_id: str, plan: str) -> Team:
    _check_plan(plan)
    team = db.session.get(Team, team_id)
    if team is None:
        raise TeamNotFound(f"No team with id {team_id}.")
    team.plan = plan
    db.session.commit()
    if PLANS[plan].has_subscription:
        from app.numbers.lifecycle import convert_trials  # the numbers package imports us

        convert_trials(team.id)
    return team


def create_user(email: str, name: str, password: str) -> User:
    email = normalise_email(email)
    if "@" not in email:
        raise ServiceError(f"{email!r} is not an email address.")
    if len(password) < 8:
        raise ServiceError("A password needs at least 8 characters.")
    if db.session.scalar(sa.select(User.id).where(User.email == email)):
        raise ServiceError(f"A user with email {email} already exists.")
    user = User(email=email, name=name.strip(), password_hash=generate_password_hash(password))
    db.session.add(user)
    db.session.commit()
    return user


def add_member(user: User, team: Team, role: str = "member") -> Membership:
    if role not in ROLES:
        raise ServiceError(f"Role must be one of {', '.join(ROLES)}.")
    membership = Membership(user_id=user.id, team_id=team.id, role=role)
    db.session.merge(membership)
    db.session.commit()
    return membership


def user_by_email(email: str) -> User | None:
    return db.session.scalar(sa.select(User).where(User.email == normalise_email(email)))


def normalise_email(email: str) -> str:
    return email.strip().lower()


def issue_token(user: User, name: str = "", plain: str | None = None) -> IssuedToken:
    """Make a token for the user; only its hash is stored, `plain` is shown once."""
    plain = plain or TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        user_id=user.id,
        name=name,
        token_hash=hash_token(plain),
        display_prefix=plain[:10],
    )
    db.session.add(token)
    db.session.commit()
    return IssuedToken(token, plain)


def user_for_token(plain: str) -> User | None:
    """The user a live token acts for, or None; records when the token was last used."""
    token = db.session.scalar(
        sa.select(ApiToken).where(
            ApiToken.token_hash == hash_token(plain), ApiToken.revoked_at.is_(None)
        )
    )
    if token is None:
        return None
    now = utcnow()
    if token.last_used_at is None or now - token.last_used_at > LAST_USED_RESOLUTION:
        token.last_used_at = now
        db.session.commit()
    return token.user


def hash_token(plain: str) -> str:
    # Tokens carry 256 random bits, so a fast hash is enough; no salt is needed to look one up.
    return hashlib.sha256(plain.encode()).hexdigest()


def derived_token(secret_key: str, purpose: str) -> str:
    """A token that can be shown again without being stored: HMAC of the app's secret."""
    digest = hmac.new(secret_key.encode(), purpose.encode(), hashlib.sha256).hexdigest()
    return TOKEN_PREFIX + digest


def _check_plan(plan: str) -> None:
    if plan not in PLANS:
        raise ServiceError(f"Plan must be one of {', '.join(PLAN_KEYS)}.")


# --- Sign-up and sign-in for the dashboard ---------------------------------------------


def sign_up(email: str, name: str, password: str, team_name: str = "") -> User:
    """A new user who owns a new team on the Free plan."""
    user = create_user(email, name, password)
    team = create_team(team_name.strip() or f"{user.name or user.email}'s team", "free")
    add_member(user, team, "owner")
    return user


def authenticate(email: str, password: str) -> User | None:
    """The user with this email and password, or None (never says which was wrong)."""
    user = user_by_email(email)
    # Hash even when there is no such user, so the time taken does not tell who has an account.
    stored = user.password_hash if user else _dummy_hash()
    if not check_password_hash(stored, password) or user is None:
        return None
    return user


@cache
def _dummy_hash() -> str:
    # Made on first use, not at import: a password hash is deliberately slow.
    return generate_password_hash("not-a-real-password")


def teams_for_user(user: User) -> list[Team]:
    """The teams the user belongs to, by name."""
    query = (
        sa.select(Team)
        .join(Membership)
        .where(Membership.user_id == user.id)
        .order_by(Team.name, Team.id)
    )
    return list(db.session.scalars(query))


# --- API tokens on the settings page ----------------------------------------------------


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
    if not is_id("tok", token_id):
        raise NotFound("Token not found.")
    token = db.session.scalar(
        sa.select(ApiToken).where(ApiToken.id == token_id, ApiToken.user_id == user.id)
    )
    if token is None:
        raise NotFound("Token not found.")
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        db.session.commit()
    return token
