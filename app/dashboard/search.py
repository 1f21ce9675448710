"""Finding a number and buying it in one click.

The search is a GET form (the query stays in the URL); htmx swaps the results only. Buy is
an htmx POST that swaps the offer's cell; without JavaScript it is POST/redirect. Each Buy
button carries a fresh idempotency key, so a double click or a resent POST buys once and
answers the first outcome again (app.idempotency, as the API's purchase does).
"""

from __future__ import annotations

import json
import secrets
from datetime import timedelta
from typing import Any
from urllib.parse import parse_qsl, urlencode

from flask import flash, g, make_response, redirect, render_template, request, session, url_for
from flask_login import login_required

from app import idempotency
from app.accounts.roles import Permission
from app.dashboard import actor, bp, is_htmx
from app.dashboard.conditional import not_modified, tagged
from app.dashboard.error_pages import provider_failure_sentence
from app.dashboard.forms import (
    DEFAULT_PAGE_LIMIT,
    BuyForm,
    SearchForm,
    country_choices,
    default_country,
)
from app.dashboard.page_cache import cached_page, page_etag, with_token
from app.exceptions import ProviderFailed, ServiceError, ValidationFailed
from app.guardrails.requests import buy_or_ask
from app.guardrails.rules import spending
from app.models import PurchaseRequest, utcnow
from app.numbers.cart import cart_count
from app.numbers.queries import list_state
from app.numbers.searching import search_numbers
from app.numbers.validation import MAX_LIMIT
from app.plans.rules import usage
from app.ratelimit import purchase_limit, search_limit

SEARCH_KEYS = (
    *("country", "area_code", "number_type", "limit", "locality", "region"),
    *("features", "pattern", "match", "sort"),
)
KEY_SCOPE = "page-buy:"  # keeps the pages' keys apart from an API client's own
MAX_KEY = 200
OUTCOMES = {
    "plan_limit_reached": "limit",
    "number_unavailable": "taken",
    "spend_cap_reached": "cap",
}


@bp.app_template_global("idempotency_key")
def new_idempotency_key() -> str:
    if g.get("rendering_kept_page"):
        # A kept page is served to every session of the team: one key would make their Buy
        # clicks one purchase. Pages with Buy forms are rendered each time.
        raise RuntimeError("A page kept in the cache cannot carry an idempotency key.")
    return secrets.token_urlsafe(18)


@bp.get("/teams/<team_id>/search")
@login_required
@search_limit  # the same per-person budget as the API's searches
def search():
    if not request.args and not is_htmx():
        return _form_page()
    team = actor().team
    form = SearchForm(formdata=request.args or None)
    form.country.choices = country_choices()
    if not request.args:
        form.country.data = default_country()
    result, error, status = None, None, 200
    if "country" in request.args:
        filters = form.search_filters()
        if filters is None:
            status = 400
        else:
            try:
                result = search_numbers(filters)
            except ProviderFailed as failure:
                error = provider_failure_sentence(failure, "The search did not run")
                status = failure.status
    context = {
        "team": team,
        "actor": actor(),
        "form": form,
        "result": result,
        "error": error,
        "plan": usage(team),
        "spending": spending(team),
        "query": request.query_string.decode(),
        "more_url": _more_url(team.id, form),
        "max_limit": MAX_LIMIT,
    }
    if not is_htmx():
        held = cart_count(team.id) if actor().can(Permission.BUY) else 0  # the cart link's
        return render_template("search/page.html", cart_count=held, **context), status
    if form.errors:
        # The messages belong beside their fields: answer the whole panel this once.
        response = make_response(render_template("search/_panel.html", **context), status)
        response.headers["HX-Retarget"] = "#search-panel"
        response.headers["HX-Reswap"] = "outerHTML"
        return response
    # Only the results: the form the user is typing in stays as it is.
    return render_template("search/_results.html", announce=True, **context), status


def _form_page():
    """The search page before a search: the same for everyone in the team with the same role
    and region, so it is kept (app.dashboard.page_cache) under the cart's count, which holds
    ending change without a write."""
    team = actor().team
    held = cart_count(team.id) if actor().can(Permission.BUY) else 0  # the cart link's
    country = default_country()

    def render():
        form = SearchForm(formdata=None)
        form.country.choices = country_choices()
        form.country.data = country
        now = utcnow()
        context = {
            "team": team,
            "actor": actor(),
            "form": form,
            "result": None,
            "error": None,
            "plan": usage(team, now),
            "spending": spending(team, now),
            "query": "",
            "more_url": _more_url(team.id, form),
            "max_limit": MAX_LIMIT,
        }
        html = render_template("search/page.html", cart_count=held, **context)
        if team.grace_ends_at is not None:
            return html, 200, None
        # The plan's count moves when a trial ends, the month's spend when the month does.
        changes_at = list_state(team.id, now).changes_at
        month = (now.replace(day=1) + timedelta(days=32)).replace(
            day=1, hour=0, minute=0, second=0, microsecond=0
        )
        return html, 200, min(changes_at, month) if changes_at else month

    flashing = bool(session.get("_flashes"))
    page = cached_page("search", render, extra=(held, country))
    if flashing:
        return make_response(with_token(page), page.status)
    etag = page_etag(page)
    if (unchanged := not_modified(etag)) is not None:
        return unchanged
    return tagged(make_response(with_token(page), page.status), etag)


def _more_url(team_id: str, form: SearchForm) -> str:
    """The same search asking for 20 more results (the providers do not page searches)."""
    raw = str(form.limit.data or "")
    current = int(raw) if raw.isascii() and raw.isdigit() else DEFAULT_PAGE_LIMIT
    kept = [(k, v) for k, v in request.args.items(multi=True) if k != "limit"]
    kept.append(("limit", str(min(MAX_LIMIT, int(current) + 20))))
    return f"{url_for('dashboard.search', team_id=team_id)}?{urlencode(kept)}"


@bp.get("/teams/<team_id>/search/area-code")
@login_required
def area_code_field():
    """The area-code field for the chosen country: an input for US/CA, nothing otherwise."""
    return render_template("search/_area_code.html", form=SearchForm(formdata=request.args))


@bp.post("/teams/<team_id>/numbers")
@purchase_limit
@login_required
def buy():
    team = actor().team
    actor().require(Permission.BUY)  # a 403 page, before any key is claimed
    form = BuyForm()
    key = (form.idempotency_key.data or "").strip()
    if not key or len(key) > MAX_KEY or not idempotency.valid_key(key):
        return _answer(form, _attempt(form))  # an old page without a key
    request_print = idempotency.fingerprint("buy", form.phone_number.data or "")
    try:
        answer, _replayed = idempotency.run_once(
            team.id,
            KEY_SCOPE + key,
            request_print,
            lambda: idempotency.Answer((outcome := _attempt(form))["status"], outcome),
        )
    except ServiceError as error:  # the key is in use (a double click) or was reused
        return _answer(form, _refusal(error, form.phone_number.data or ""))
    return _answer(form, answer.body)


def _attempt(form: BuyForm) -> dict[str, Any]:
    """Buy, and say what happened as plain data: the same answer is replayed from it."""
    phone_number = form.phone_number.data or ""
    try:
        order = form.purchase(actor().team.id)
        bought = buy_or_ask(actor(), order.phone_number)
    except ServiceError as error:
        return _refusal(error, phone_number)
    if isinstance(bought, PurchaseRequest):  # the team's approvals: it waits for an approver
        return {
            "outcome": "requested",
            "status": 200,
            "phone_number": phone_number,
            "request_id": bought.id,
            "held_until": f"{bought.hold_expires_at:%H:%M} UTC",
            "message": f"Sent for approval: {phone_number} is held for the team until "
            f"{bought.hold_expires_at:%H:%M} UTC while an owner or admin decides.",
        }
    number = bought.number
    ready = number.status == "active"
    return {
        "outcome": "purchased",
        "status": 200,
        "phone_number": phone_number,
        "number_id": number.id,
        "number_status": number.status,
        "message": f"Bought {phone_number}. "
        + ("It is ready to take calls." if ready else "The provider is still completing it."),
    }


def _refusal(error: ServiceError, phone_number: str) -> dict[str, Any]:
    if error.code == "idempotency_key_in_use":  # the same click, still being bought
        return {
            "outcome": "busy",
            "status": error.status,
            "phone_number": phone_number,
            "message": f"Still buying {phone_number}; it shows on Numbers in a moment.",
        }
    if isinstance(error, ValidationFailed):
        message = " ".join(error.fields.values()) or error.message
    elif isinstance(error, ProviderFailed):
        message = provider_failure_sentence(error, "Nothing was bought")
    else:
        message = error.message
    status = 400 if error.code == "idempotency_key_reused" else error.status
    return {
        "outcome": _outcome(error),
        "status": status,
        "phone_number": phone_number,
        "message": message,
    }


def _outcome(error: ServiceError) -> str:
    if isinstance(error, ProviderFailed) and error.outcome_unknown:
        return "pending"  # the order may exist: it shows on Numbers, nothing to retry
    return OUTCOMES.get(error.code, "failed")


def _answer(form: BuyForm, outcome: dict[str, Any]):
    """The offer's cell for htmx, or a flash and a redirect, from an outcome (first or replayed)."""
    team = actor().team
    search_url = search_back_url(team.id, form.search.data)
    purchased = outcome["outcome"] == "purchased"
    if not is_htmx():
        done = outcome["outcome"] in ("purchased", "requested")
        flash(outcome["message"], "success" if done else "error")
        if purchased:
            numbers_url = url_for("dashboard.numbers", team_id=team.id)
            return redirect(f"{numbers_url}#number-{outcome['number_id']}")
        if outcome["outcome"] == "requested":
            requests_url = url_for("dashboard.purchase_requests", team_id=team.id)
            return redirect(f"{requests_url}#request-{outcome['request_id']}", code=303)
        return redirect(search_url, code=303)
    plan = usage(team)
    html = render_template(
        "search/_buy_result.html",
        outcome=outcome["outcome"],
        team=team,
        actor=actor(),
        query=form.search.data or "",
        phone_number=outcome["phone_number"],
        plan=plan,
        spending=spending(team),
        search_url=search_url,
        number={"id": outcome.get("number_id"), "status": outcome.get("number_status")},
        request_id=outcome.get("request_id"),
        held_until=outcome.get("held_until"),
        message=outcome["message"],
    )
    response = make_response(html, outcome["status"])
    # A purchase that filled the plan, or a refusal for it, disables the other Buy buttons.
    reason = plan.refusal if purchased else outcome["outcome"] == "limit" and outcome["message"]
    if reason:
        response.headers["HX-Trigger"] = json.dumps({"plan-full": {"reason": reason}})
    return response


def search_back_url(team_id: str, query: str | None) -> str:
    """Back to the search the buyer came from; only the search's own keys survive."""
    kept = [(k, v) for k, v in parse_qsl(query or "") if k in SEARCH_KEYS]
    url = url_for("dashboard.search", team_id=team_id)
    return f"{url}?{urlencode(kept)}" if kept else url
