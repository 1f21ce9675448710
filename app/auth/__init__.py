"""Sign up, sign in and sign out for the dashboard (cookie sessions via Flask-Login)."""

from __future__ import annotations

from flask import Blueprint, Response, redirect, request, url_for

from app.extensions import db, login_manager
from app.models import User

bp = Blueprint("auth", __name__)


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    return db.session.get(User, user_id)


@login_manager.unauthorized_handler
def unauthorized():
    """Send the visitor to sign in, then back; htmx requests redirect the whole page."""
    target = url_for("auth.signin", next=request.full_path.rstrip("?"))
    if request.headers.get("HX-Request") == "true":
        # A fragment swapped into a table cell must not be the sign-in page.
        return Response(status=401, headers={"HX-Redirect": target})
    return redirect(target)


from app.auth import views  # noqa: E402,F401  (registers the routes)
