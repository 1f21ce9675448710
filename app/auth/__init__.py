"""Sign up, sign in and out, account recovery and invitations (cookie sessions via Flask-Login).

The cookies carry a session token, not a user id: a request is signed in only while that
session exists server-side (app.accounts.sessions), so ending it ends every copy of them.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, Response, flash, g, redirect, request, session, url_for
from flask_login import current_user, login_user, logout_user

from app.accounts.sessions import end_session, open_session
from app.extensions import login_manager
from app.models import User

bp = Blueprint("auth", __name__)


@login_manager.user_loader
def load_user(token: str) -> User | None:
    """The session's user, with their teams read in the same query: every page asks for both
    (app.dashboard.user_memberships)."""
    from app.guardrails.requests import signed_in

    found, teams = signed_in(token)
    if found.ended_because:
        g.signed_out_because = found.ended_because  # said on the sign-in page it leads to
    if found.user is None:
        return None
    g.memberships = [(team, role) for team, role, _waiting in teams]
    g.waiting_requests = {team.id: waiting for team, _role, waiting in teams}
    return found.user


@login_manager.unauthorized_handler
def unauthorized():
    """Send the visitor to sign in, then back; htmx requests redirect the whole page."""
    if reason := g.pop("signed_out_because", None):
        flash(f"You were signed out because {reason}. Sign in again to go on.", "info")
    if request.headers.get("HX-Request") == "true":
        # A fragment swapped into a table cell must not be the sign-in page.
        return sign_in_again(401)
    return redirect(url_for("auth.signin", next=request.full_path.rstrip("?")))


def sign_in_again(status: int) -> Response:
    """For an htmx request that cannot go on (its session ended, or its form token is stale):
    the whole page goes to sign in, which returns to the page the person was on. Signed in
    still, sign-in sends them straight back, with a fresh token."""
    return Response(
        status=status, headers={"HX-Redirect": url_for("auth.signin", next=_page_shown())}
    )


def _page_shown() -> str:
    """The page the htmx request came from (htmx names it), not the fragment's own URL: a
    POST's URL is nothing to return to."""
    shown = urlsplit(request.headers.get("HX-Current-URL", ""))
    if shown.netloc == request.host and shown.path.startswith("/"):
        return shown.path + (f"?{shown.query}" if shown.query else "")
    return request.full_path.rstrip("?")


def begin_session(user: User, remember: bool = False) -> None:
    """Sign this browser in with a fresh session: nothing planted in the cookie before survives."""
    session.clear()
    _forget_memberships()
    open_session(user, request.headers.get("User-Agent", ""), request.remote_addr)
    login_user(user, remember=remember)


def end_this_session() -> None:
    """Sign this browser out: its server-side session ends, so copies of its cookies die too."""
    if current_user.is_authenticated:
        end_session(current_user.session_token)
    _forget_memberships()
    logout_user()


def _forget_memberships() -> None:
    # Read with the user who is signing in or out: not theirs to show for the rest of it.
    g.pop("memberships", None)
    g.pop("waiting_requests", None)


from app.auth import email_change, invitations, recovery, two_factor, views  # noqa: E402,F401  (registers the routes)
