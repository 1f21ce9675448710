"""The getting-started checklist's one action: dismiss it for the team."""

from __future__ import annotations

from flask import make_response, redirect, url_for
from flask_login import login_required

from app.accounts.onboarding import dismiss
from app.dashboard import actor, bp, is_htmx


@bp.post("/teams/<team_id>/onboarding/dismiss")
@login_required
def dismiss_onboarding():
    dismiss(actor())
    if is_htmx():  # the checklist swaps itself out: nothing left in its place
        return make_response("", 200)
    return redirect(url_for("dashboard.numbers", team_id=actor().team.id), code=303)
