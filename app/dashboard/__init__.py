"""The team dashboard: the numbers table, search and one-click buy, as server-rendered pages."""

from __future__ import annotations

from flask import Blueprint, Response, session
from flask_login import current_user

bp = Blueprint("dashboard", __name__)


@bp.after_request
def vary_on_htmx(response: Response) -> Response:
    # The same URL answers a page or a fragment: caches must keep them apart.
    response.vary.add("HX-Request")
    return response


@bp.app_context_processor
def navigation():
    """Lazy helpers for the header, so pages that never show a team switcher never query."""
    from app import accounts

    def nav_teams():
        return accounts.teams_for_user(current_user) if current_user.is_authenticated else []

    return {"nav_teams": nav_teams, "session_team_id": session.get("team_id")}


from app.dashboard import (  # noqa: E402,F401  (registers routes and filters)
    assistants,
    buy,
    filters,
    history,
    number_rows,
    tokens,
    views,
)
