"""A number's own page: its status and cost, its routing (editable), the routing test, its
calls and its History.

The routing card and the test's result are components: htmx swaps each in place; without
JavaScript each form posts and the page comes back whole (with the result, or the errors).
"""

from __future__ import annotations

import sqlalchemy as sa
from flask import Response, flash, redirect, request, url_for
from flask_login import login_required

from app.calls.control import connection_json
from app.calls.export import calls_csv
from app.calls.log import CallFilters, all_calls, list_calls
from app.calls.outbound import call_me, parse_phone
from app.dashboard import actor, bp, is_htmx, render
from app.dashboard.history import describe
from app.dashboard.routing_form import (
    SPLIT_ROWS,
    WEEKDAYS,
    form_errors,
    form_to_routing,
    routing_to_form,
    values_from_form,
)
from app.exceptions import ValidationFailed
from app.extensions import db
from app.models import Assistant, AuditEvent, PhoneNumber, utcnow
from app.numbers.queries import team_number
from app.phone import national
from app.routing import answering
from app.routing.store import load_routing, routing_json, set_routing
from app.routing.testing import SimulatedCall, parse_caller, parse_moment, simulate_call

NUMBER = "/teams/<team_id>/numbers/<id(pn):number_id>"
RECENT_CALLS = 20
RECENT_EVENTS = 20


@bp.get(NUMBER)
@login_required
def number_page(number_id: str):
    number = team_number(actor().team.id, number_id)
    return _page(number)


@bp.post(NUMBER + "/routing")
@login_required
def save_routing(number_id: str):
    number = team_number(actor().team.id, number_id)
    change, days = form_to_routing(request.form)
    try:
        set_routing(actor(), number, change)
    except ValidationFailed as error:
        db.session.rollback()
        errors = form_errors(error.fields, days)
        values = values_from_form(request.form)
        if not is_htmx():
            return _page(number, status=400, values=values, errors=errors)
        return _routing_card(number, 400, values=values, errors=errors)
    message = f"Routing saved for {national(number.phone_number)}."
    if not is_htmx():
        flash(message, "success")
        return redirect(
            url_for("dashboard.number_page", team_id=number.team_id, number_id=number.id)
        )
    return _routing_card(number, notice=message)


@bp.post(NUMBER + "/test-call")
@login_required
def run_routing_test(number_id: str):
    number = team_number(actor().team.id, number_id)
    zone = load_routing(number).time_zone
    sent = {"caller": request.form.get("caller", ""), "at": request.form.get("at", "")}
    try:
        caller = parse_caller(sent["caller"], "caller")
        at = parse_moment(sent["at"], zone, "at")
        result = simulate_call(actor(), number, caller, at)
    except ValidationFailed as error:
        db.session.rollback()
        return _test_card(number, 400, sent=sent, errors=error.fields)
    return _test_card(number, sent=sent, result=result)


@bp.post(NUMBER + "/call-me")
@login_required
def call_me_page(number_id: str):
    number = team_number(actor().team.id, number_id)
    sent = request.form.get("to", "")
    try:
        call = call_me(actor(), number, parse_phone(sent, "to"), "to")
    except ValidationFailed as error:
        db.session.rollback()
        return _page(number, 400, call_me_to=sent, call_me_errors=error.fields)
    flash(call.detail or "Calling.", "success")
    return redirect(url_for("dashboard.number_page", team_id=number.team_id, number_id=number.id))


@bp.get(NUMBER + "/calls.csv")
@login_required
def number_calls_csv(number_id: str):
    number = team_number(actor().team.id, number_id)
    calls = all_calls(number.team_id, CallFilters(phone_number_id=number.id))
    name = f"calls-{number.phone_number.lstrip('+')}.csv"
    return Response(
        calls_csv(calls),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


def _context(number: PhoneNumber, **extra):
    team = actor().team
    routing = routing_json(number)
    places = answering.destinations(team.id)
    choices = [
        (a.id, a.name)
        for a in db.session.scalars(
            sa.select(Assistant).where(Assistant.team_id == team.id).order_by(Assistant.name_key)
        )
    ]
    context = {
        "team": team,
        "actor": actor(),
        "number": number,
        "routing": routing,
        "values": routing_to_form(routing),
        "errors": {},
        "labels": {a: answering.label(places.get(a)) for a, _n in choices},
        "has_destination": {a for a, _n in choices if a in places},
        "choices": choices,
        "fits_page": fits_page(routing),
        "SPLIT_ROWS": SPLIT_ROWS,
        "WEEKDAYS": WEEKDAYS,
        "now": utcnow(),
        "sent": {"caller": "", "at": ""},
        "result": None,
        "test_errors": {},
        "connection": connection_json(number),
        "call_me_to": "",
        "call_me_errors": {},
    }
    from app.dashboard.caller_names import number_extras  # it imports this module's views

    context.update(number_extras(number))
    context.update(extra)
    if "health" not in context:  # the health card's module imports this one: import here
        from app.dashboard.number_health import health_context

        context.update(health_context(number))
    return context


def fits_page(routing) -> bool:
    """Whether the form can show this routing whole (the API takes more than it offers): a
    form that cannot would drop the rest when saved, so the page does not offer it then."""
    days = [w["day"] for w in routing["inbound"]["hours"]]
    return len(routing["inbound"]["assistants"]) <= SPLIT_ROWS and len(days) == len(set(days))


def _page(number: PhoneNumber, status: int = 200, **extra):
    context = _context(number, **extra)
    context["calls"] = list_calls(
        number.team_id, RECENT_CALLS, None, CallFilters(phone_number_id=number.id)
    ).calls
    events = db.session.scalars(
        sa.select(AuditEvent)
        .where(AuditEvent.team_id == number.team_id, AuditEvent.subject_id == number.id)
        .order_by(AuditEvent.created_at.desc(), AuditEvent.id.desc())
        .limit(RECENT_EVENTS)
    )
    context["lines"] = [describe(event) for event in events]
    return render("numbers/detail.html", "numbers/detail.html", status, **context)


def _routing_card(number: PhoneNumber, status: int = 200, **extra):
    return render(
        "numbers/detail.html", "numbers/_routing_saved.html", status, **_context(number, **extra)
    )


def _test_card(
    number, status: int = 200, *, sent, result: SimulatedCall | None = None, errors=None
):
    if not is_htmx():
        return _page(number, status, sent=sent, result=result, test_errors=errors or {})
    context = _context(number, sent=sent, result=result, test_errors=errors or {})
    return render("numbers/detail.html", "numbers/_routing_test.html", status, **context)
