"""The Team page's spending guardrails (owners change them): the monthly spend cap, and
whether members' purchases wait for an owner's or admin's approval.

htmx swaps the section in place; without JavaScript the form is a POST that redirects back to
the Team page with a flash. The rules and their words are the service's (app.guardrails).
"""

from __future__ import annotations

from flask import flash, make_response, redirect, url_for
from flask_login import login_required

from app.accounts.roles import Permission
from app.dashboard import actor, bp, is_htmx, render
from app.dashboard.forms import GuardrailsForm
from app.dashboard.team import team_context
from app.exceptions import ValidationFailed
from app.guardrails.rules import Limits
from app.guardrails.settings import parse_guardrails, update_guardrails


@bp.post("/teams/<team_id>/guardrails")
@login_required
def set_guardrails():
    actor().require(Permission.SET_GUARDRAILS)
    form = GuardrailsForm()
    try:
        team = update_guardrails(actor(), parse_guardrails(form.changes()))
    except ValidationFailed as error:
        form.show(error)
        return _section(400, guardrails_form=form)
    message = f"Saved. {summary(Limits.of(team))}"
    if not is_htmx():
        flash(message, "success")
        return redirect(url_for("dashboard.team_settings", team_id=team.id) + "#guardrails", 303)
    return _section(200, guardrails_notice=message)


def summary(limits: Limits) -> str:
    """The guardrails in one or two sentences."""
    cap = "No monthly spend cap." if limits.cap is None else f"Monthly cap: ${limits.cap:,.2f}."
    if not limits.approval_required:
        return f"{cap} Members buy without approval."
    if limits.approval_above is None:
        return f"{cap} Every purchase by a member needs approval."
    return f"{cap} Members' purchases past ${limits.approval_above:,.2f} this month need approval."


def _section(status: int, **guardrails):
    body, status = render(
        "team/page.html", "team/_guardrails.html", status, **team_context(**guardrails)
    )
    return make_response(body, status)
