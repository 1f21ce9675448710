"""One-click buy: an htmx POST swaps the row's action cell; without JavaScript, POST/redirect.

Each rendered Buy button carries a fresh idempotency key, so a double click or a resent POST
buys once and answers the first outcome again (app.idempotency, as the API's purchase does).
"""

from __future__ import annotations

import json
import secrets
from typing import Any
from urllib.parse import parse_qsl, urlencode

from flask import flash, make_response, redirect, render_template, url_for
from flask_login import current_user, login_required

from app import idempotency
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
from app.idempotency import IdempotencyKeyInUse, IdempotencyKeyReused
from app.numbers import service

# The contract's status for each refusal; the fragment carries the same status.
STATUS = {
    ValidationFailed: 400,
    IdempotencyKeyReused: 400,
    PlanLimitReached: 403,
    NumberUnavailable: 409,
    IdempotencyKeyInUse: 409,
    ProviderFailed: 502,
    ProviderTimedOut: 504,
}
OUTCOMES = {403: "limit", 409: "taken"}
SEARCH_KEYS = ("country", "area_code", "number_type", "limit")
KEY_SCOPE = "page-buy:"  # keeps the pages' keys apart from an API client's own
MAX_KEY = 200


@bp.app_template_global("idempotency_key")
def new_idempotency_key() -> str:
    return secrets.token_urlsafe(18)


@bp.post("/teams/<team_id>/numbers")
@login_required
def buy(team_id: str):
    team = member_team(team_id)
    form = BuyForm()
    key = (form.idempotency_key.data or "").strip()
    if not key or len(key) > MAX_KEY or not idempotency.valid_key(key):
        return _answer(team, form, _attempt(team, form))  # an old page without a key
    key = KEY_SCOPE + key
    request_print = idempotency.fingerprint("buy", form.phone_number.data or "")
    try:
        replay = idempotency.claim(team.id, key, request_print)
    except (IdempotencyKeyInUse, IdempotencyKeyReused) as error:
        return _answer(team, form, _refusal(error, form.phone_number.data or ""))
    if replay is not None:
        return _answer(team, form, replay.body)
    try:
        outcome = _attempt(team, form)
    except Exception:
        idempotency.release(team.id, key)
        raise
    idempotency.complete(team.id, key, outcome["status"], outcome)
    return _answer(team, form, outcome)


def _attempt(team, form: BuyForm) -> dict[str, Any]:
    """Buy, and say what happened as plain data: the same answer is replayed from it."""
    phone_number = form.phone_number.data or ""
    try:
        order = form.purchase(team.id)
        number = service.purchase_number(current_user, team.id, order.phone_number).number
    except ServiceError as error:
        return _refusal(error, phone_number)
    return {
        "outcome": "purchased",
        "status": 200,
        "phone_number": phone_number,
        "number_id": number.id,
        "number_status": number.status,
        "message": f"Bought {phone_number}. It is ready to take calls.",
    }


def _refusal(error: ServiceError, phone_number: str) -> dict[str, Any]:
    status = next((code for kind, code in STATUS.items() if isinstance(error, kind)), 400)
    if isinstance(error, IdempotencyKeyInUse):  # the same click, still being bought
        return {
            "outcome": "busy",
            "status": status,
            "phone_number": phone_number,
            "message": f"Still buying {phone_number}; it shows on Numbers in a moment.",
        }
    return {
        "outcome": OUTCOMES.get(status, "failed"),
        "status": status,
        "phone_number": phone_number,
        "message": _message(error),
    }


def _answer(team, form: BuyForm, outcome: dict[str, Any]):
    """The fragment for htmx, or a flash and a redirect, from an outcome (first or replayed)."""
    search_url = _search_url(team.id, form.search.data)
    purchased = outcome["outcome"] == "purchased"
    if not is_htmx():
        flash(outcome["message"], "success" if purchased else "error")
        if purchased:
            numbers_url = url_for("dashboard.numbers", team_id=team.id)
            return redirect(f"{numbers_url}#number-{outcome['number_id']}")
        return redirect(search_url, code=303)
    plan = present.plan_status(team)
    html = render_template(
        "search/_buy_result.html",
        outcome=outcome["outcome"],
        team=team,
        form=form,
        phone_number=outcome["phone_number"],
        plan=plan,
        search_url=search_url,
        number={"id": outcome.get("number_id")},
        message=outcome["message"],
    )
    response = make_response(html, outcome["status"])
    # A purchase that filled the plan, or a refusal for it, disables the other Buy buttons.
    reason = plan.refusal if purchased else outcome["status"] == 403 and outcome["message"]
    if reason:
        response.headers["HX-Trigger"] = json.dumps({"plan-full": {"reason": reason}})
    return response


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
