"""Signed-in sessions, kept server-side so that signing out really ends them.

Each sign-in makes a random token; the session cookie and the remember cookie carry it
(Flask-Login stores whatever `User.get_id` returns) and only its SHA-256 is kept in
`login_sessions`. A request is signed in only while that row is live, so ending it ends the
session for every copy of those cookies: sign-out deletes one; revoking one from the sessions
list, a password change, a reset or "sign out everywhere" mark them ended with the reason,
which the signed-out browser is shown on its next request.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app

from app.exceptions import NotFound
from app.extensions import db
from app.ids import is_id
from app.models import LoginSession, User, utcnow

MAX_TOKEN = 100  # what a cookie may claim before we bother hashing it
MAX_USER_AGENT = 300
# last_seen_at is written at most this often: a page view costs a write once a minute at most.
LAST_SEEN_RESOLUTION = timedelta(minutes=1)

# Why a session ended, as the sign-in page finishes "You were signed out because …".
REVOKED = "you signed this device out from another one"
EVERYWHERE = "you signed out everywhere"
PASSWORD_CHANGED = "your password was changed"
PASSWORD_RESET = "your password was reset"
TWO_FACTOR_OFF = "two-factor sign-in was turned off"
EXPIRED = "your session expired"


@dataclass(frozen=True)
class SessionLookup:
    """What a cookie's token found: the user while the session is live, else why it is not."""

    user: User | None
    ended_because: str | None = None


def open_session(user: User, user_agent: str = "", ip: str | None = None) -> str:
    """A new session for the user; returns its token (also set on the user for Flask-Login)."""
    token = secrets.token_urlsafe(32)
    # Tidy the user's own expired sessions while we are here: no job needed.
    db.session.execute(
        sa.delete(LoginSession).where(
            LoginSession.user_id == user.id, LoginSession.created_at < _oldest_valid()
        )
    )
    now = utcnow()
    db.session.add(
        LoginSession(
            token_hash=_hash(token),
            user_id=user.id,
            created_at=now,
            last_seen_at=now,
            user_agent=(user_agent or "")[:MAX_USER_AGENT],
            ip=(ip or None) and ip[:45],
        )
    )
    db.session.commit()
    user.session_token = token
    return token


_LOOKUP = (
    sa.select(
        User,
        LoginSession.created_at,
        LoginSession.last_seen_at,
        LoginSession.ended_at,
        LoginSession.end_reason,
    )
    .join(LoginSession, LoginSession.user_id == User.id)
    .where(LoginSession.token_hash == sa.bindparam("token_hash"))
)


def find_session(token: object) -> SessionLookup:
    """The user a live session token belongs to; for an ended or expired one, why it ended.

    One query per request; last seen is written at most once a minute."""
    return session_rows(token)[0]


def session_rows(token: object, widen=None) -> tuple[SessionLookup, list[sa.Row]]:
    """find_session, with more read in the same query: `widen` adds joins and columns after
    the lookup's five (app.guardrails.requests.signed_in reads the memberships so), and the
    rows come back while the session is live."""
    if not isinstance(token, str) or not token or len(token) > MAX_TOKEN:
        return SessionLookup(None), []
    token_hash = _hash(token)
    query = _LOOKUP if widen is None else widen(_LOOKUP)
    rows = db.session.execute(query, {"token_hash": token_hash}).all()
    if not rows:
        return SessionLookup(None), []
    user, created_at, last_seen, ended_at, reason = rows[0][:5]
    if ended_at is not None:
        return SessionLookup(None, reason), []
    if created_at < _oldest_valid():
        return SessionLookup(None, EXPIRED), []
    now = utcnow()
    if last_seen is None or now - last_seen >= LAST_SEEN_RESOLUTION:
        db.session.execute(
            sa.update(LoginSession)
            .where(LoginSession.token_hash == token_hash)
            .values(last_seen_at=now)
        )
        db.session.commit()
    user.session_token = token
    return SessionLookup(user), rows


def user_for_session(token: object) -> User | None:
    """The user a live session token belongs to, or None (unknown, ended or too old)."""
    return find_session(token).user


def end_session(token: str | None) -> None:
    """Sign-out: the browser asked, so there is nothing to tell it later."""
    if token:
        db.session.execute(sa.delete(LoginSession).where(LoginSession.token_hash == _hash(token)))
        db.session.commit()


def end_all_sessions(user: User, reason: str = EVERYWHERE) -> int:
    """Sign the user out on every device; returns how many sessions ended."""
    ended = _end(user, reason)
    user.session_token = None
    return ended


def end_other_sessions(user: User, keep_token: str | None, reason: str = REVOKED) -> int:
    """Sign the user out everywhere but this browser; returns how many sessions ended."""
    return _end(user, reason, _not_this(keep_token) if keep_token else None)


def revoke_session(user: User, session_id: str, current_token: str | None) -> LoginSession:
    """End one of the user's own live sessions (not this browser's: that is Sign out);
    NotFound for an unknown one, someone else's or one that already ended."""
    found = None
    if is_id("ses", session_id):
        found = db.session.scalar(
            sa.select(LoginSession).where(
                LoginSession.id == session_id,
                LoginSession.user_id == user.id,
                LoginSession.ended_at.is_(None),
                _not_this(current_token) if current_token else sa.true(),
            )
        )
    if found is None:
        raise NotFound("That session is not signed in any more.")
    found.ended_at, found.end_reason = utcnow(), REVOKED
    db.session.commit()
    return found


def live_sessions(user: User) -> list[LoginSession]:
    """The user's signed-in sessions, the most recently seen first."""
    query = (
        sa.select(LoginSession)
        .where(
            LoginSession.user_id == user.id,
            LoginSession.ended_at.is_(None),
            LoginSession.created_at >= _oldest_valid(),
        )
        .order_by(LoginSession.last_seen_at.desc().nulls_last(), LoginSession.created_at.desc())
    )
    return list(db.session.scalars(query))


def is_current(login_session: LoginSession, token: str | None) -> bool:
    return bool(token) and login_session.token_hash == _hash(token)


def session_count(user: User) -> int:
    return len(live_sessions(user))


def _end(user: User, reason: str, which=None) -> int:
    which = sa.true() if which is None else which
    ended = db.session.execute(
        sa.update(LoginSession)
        .where(LoginSession.user_id == user.id, LoginSession.ended_at.is_(None), which)
        .values(ended_at=utcnow(), end_reason=reason)
    )
    db.session.commit()
    return ended.rowcount


def _not_this(token: str):
    return LoginSession.token_hash != _hash(token)


def _oldest_valid():
    lifetime = current_app.config.get("REMEMBER_COOKIE_DURATION") or timedelta(days=30)
    return utcnow() - lifetime


def _hash(token: str) -> str:
    # 256 random bits: a fast hash is enough, and a leaked table holds no usable token.
    return hashlib.sha256(token.encode()).hexdigest()
