"""Signed-in sessions, kept server-side so that signing out really ends them.

Each sign-in makes a random token; the session cookie and the remember cookie carry it
(Flask-Login stores whatever `User.get_id` returns) and only its SHA-256 is kept in
`login_sessions`. A request is signed in only while that row exists, so deleting it ends the
session for every copy of those cookies: sign-out deletes one, a password change, a reset or
"sign out everywhere" deletes them all.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app

from app.extensions import db
from app.models import LoginSession, User, utcnow

MAX_TOKEN = 100  # what a cookie may claim before we bother hashing it


def open_session(user: User) -> str:
    """A new session for the user; returns its token (also set on the user for Flask-Login)."""
    token = secrets.token_urlsafe(32)
    # Tidy the user's own expired sessions while we are here: no job needed.
    db.session.execute(
        sa.delete(LoginSession).where(
            LoginSession.user_id == user.id, LoginSession.created_at < _oldest_valid()
        )
    )
    db.session.add(LoginSession(token_hash=_hash(token), user_id=user.id, created_at=utcnow()))
    db.session.commit()
    user.session_token = token
    return token


def user_for_session(token: object) -> User | None:
    """The user a live session token belongs to, or None (unknown, ended or too old)."""
    query = session_user_query(token)
    user = db.session.scalar(query) if query is not None else None
    if user is not None:
        user.session_token = token
    return user


def session_user_query(token: object) -> sa.Select | None:
    """The live session's user as a statement (None for what cannot be a token), for a caller
    that reads more along with it (app.guardrails.requests.signed_in)."""
    if not isinstance(token, str) or not token or len(token) > MAX_TOKEN:
        return None
    return (
        sa.select(User)
        .join(LoginSession, LoginSession.user_id == User.id)
        .where(LoginSession.token_hash == _hash(token), LoginSession.created_at >= _oldest_valid())
    )


def end_session(token: str | None) -> None:
    if token:
        db.session.execute(sa.delete(LoginSession).where(LoginSession.token_hash == _hash(token)))
        db.session.commit()


def end_all_sessions(user: User) -> int:
    """Sign the user out on every device; returns how many sessions ended."""
    ended = db.session.execute(sa.delete(LoginSession).where(LoginSession.user_id == user.id))
    db.session.commit()
    user.session_token = None
    return ended.rowcount


def session_count(user: User) -> int:
    return (
        db.session.scalar(
            sa.select(sa.func.count()).where(
                LoginSession.user_id == user.id, LoginSession.created_at >= _oldest_valid()
            )
        )
        or 0
    )


def _oldest_valid():
    lifetime = current_app.config.get("REMEMBER_COOKIE_DURATION") or timedelta(days=30)
    return utcnow() - lifetime


def _hash(token: str) -> str:
    # 256 random bits: a fast hash is enough, and a leaked table holds no usable token.
    return hashlib.sha256(token.encode()).hexdigest()
