"""Sign up, sign in and out, account recovery and invitations (cookie sessions via Flask-Login).

The cookies carry a session token, not a user id: a request is signed in only while that
session exists server-side (app.accounts.sessions), so ending it ends every copy of them.
"""

from __future__ import annotations

from flask import Blueprint, Response, redirect, request, session, url_for
from flask_login import current_user, login_user, logout_user

from app.accounts.sessions import end_session, open_session, user_for_session
from app.extensions import login_manager
from app.models import User

bp = Blueprint("auth", __name__)


@login_manager.user_loader
def load_user(token: str) -> User | None:
    return user_for_session(token)


@login_manager.unauthorized_handler
def unauthorized():
    """Send the visitor to sign in, then back; htmx requests redirect the whole page."""
    target = url_for("auth.signin", next=request.full_path.rstrip("?"))
    if request.headers.get("HX-Request") == "true":
        # A fragment swapped into a table cell must not be the sign-in page.
        return Response(status=401, headers={"HX-Redirect": target})
    return redirect(target)


def begin_session(user: User, remember: bool = False) -> None:
    """Sign this browser in with a fresh session: nothing planted in the cookie before survives."""
    session.clear()
    open_session(user)
    login_user(user, remember=remember)


def end_this_session() -> None:
    """Sign this browser out: its server-side session ends, so copies of its cookies die too."""
    if current_user.is_authenticated:
        end_session(current_user.session_token)
    logout_user()


from app.auth import invitations, recovery, views  # noqa: E402,F401  (registers the routes)
