"""One-click buy: an htmx POST swaps the row's action cell; without JavaScript, POST/redirect."""

from __future__ import annotations

import json
from urllib.parse import parse_qsl, urlencode

from flask import flash, make_response, redirect, render_template, url_for
from flask_login import current_user, login_required

from app.dashboard import bp, present
from app.dashboard.forms import BuyForm
from app.dashboard.htmx import is_htmx
from app.dashboard.views import member_team
from app.errors import (
    NumberUnavailable,
    PlanLimitReached,
    ProviderFailed,
    ProviderTimedOut,
    ServiceError,
    ValidationFailed,
)
from app.numbers import service

# The contract's status for each refusal; the fragment carries the same status.
STATUS = {
    ValidationFailed: 400,
    PlanLimitReached: 403,
    NumberUnavailable: 409,
    ProviderFailed: 502,
    ProviderTimedOut: 504,
}
SEARCH_KEYS = ("country", "area_code", "number_type", "limit")


@bp.post("/teams/<team_id>/numbers")
@login_required
def buy(team_id: str):
    team = member_team(team_id)
    form = BuyForm()
    search_url = _search_url(team.id, form.search.data)
    phone_number = form.phone_number.data or ""
    try:
        order = form.purchase(team.id)
        bought = service.purchase_number(current_user, team.id, order.phone_number)
    except ServiceError as error:
        return _refused(team, form, phone_number, error, search_url)

    number = bought.number
    if not is_htmx():
        flash(f"Bought {phone_number}. It is ready to take calls.", "success")
        return redirect(url_for("dashboard.numbers", team_id=team.id) + f"#number-{number.id}")
    plan = present.plan_status(team)
    response = _fragment("purchased", team, form, phone_number, plan, search_url, number=number)
    if plan.refusal:
        response.headers["HX-Trigger"] = json.dumps({"plan-full": {"reason": plan.refusal}})
    return response


def _refused(team, form: BuyForm, phone_number: str, error: ServiceError, search_url: str):
    status = next((code for kind, code in STATUS.items() if isinstance(error, kind)), 400)
    message = _message(error)
    if not is_htmx():
        flash(message, "error")
        return redirect(search_url, code=303)
    plan = present.plan_status(team)
    outcome = {403: "limit", 409: "taken"}.get(status, "failed")
    response = _fragment(outcome, team, form, phone_number, plan, search_url, message=message)
    response.status_code = status
    if status == 403:
        response.headers["HX-Trigger"] = json.dumps({"plan-full": {"reason": message}})
    return response


def _fragment(outcome: str, team, form, phone_number, plan, search_url, **extra):
    html = render_template(
        "search/_buy_result.html",
        outcome=outcome,
        team=team,
        form=form,
        phone_number=phone_number,
        plan=plan,
        search_url=search_url,
        **extra,
    )
    return make_response(html)


def _message(error: ServiceError) -> str:
    if isinstance(error, ValidationFailed):
        return " ".join(error.fields.values()) or error.message
    if isinstance(error, (ProviderFailed, ProviderTimedOut)):
        return f"The telephony provider failed, so nothing was bought. ({error.message})"
    return error.message


def _search_url(team_id: str, query: str | None) -> str:
    """Back to the search the buyer came from; only the search's own keys survive."""
    kept = [(k, v) for k, v in parse_qsl(query or "") if k in SEARCH_KEYS]
    url = url_for("dashboard.search", team_id=team_id)
    return f"{url}?{urlencode(kept)}" if kept else url
