"""A number's routing over the API: read one number with it, and the routing test; and the
call log (GET /api/calls, its CSV export). Changing routing is PATCH /api/phone-numbers/<id>
(app.api.phone_numbers), beside the label."""

from __future__ import annotations

from typing import Any

from flask import Response, request

from app.accounts.roles import Permission
from app.accounts.scopes import NUMBERS_MANAGE, NUMBERS_READ
from app.api import bp
from app.api.auth import api_actor, read_only, token_required
from app.api.payloads import json_body, with_routing
from app.calls.export import calls_csv
from app.calls.log import all_calls, call_json, list_calls, parse_call_filters
from app.calls.outbound import call_me, parse_phone
from app.exceptions import ValidationFailed
from app.numbers.queries import team_number
from app.routing.destinations import Destination
from app.routing.engine import Decision
from app.routing.store import load_routing
from app.routing.testing import SimulatedCall, parse_caller, parse_moment, parse_roll, simulate_call
from app.timefmt import iso

MAX_CALLS_PAGE = 200
TEST_KEYS = {"teamId", "from", "at", "roll", "sendWebhook"}


@bp.get("/phone-numbers/<id(pn):number_id>")
@read_only
@token_required(NUMBERS_READ)
def get_number(number_id: str):
    actor = api_actor(request.args.get("teamId"))
    number = team_number(actor.team.id, number_id)
    return {"success": True, "phoneNumber": with_routing(number)}


@bp.post("/phone-numbers/<id(pn):number_id>/test-call")
@token_required(NUMBERS_MANAGE)
def test_call(number_id: str):
    """Where a call from `from` at `at` would go, step by step; logged as a test call."""
    body = json_body()
    actor = api_actor(body.get("teamId"), Permission.ASSIGN)
    number = team_number(actor.team.id, number_id)  # another team's: 404 whatever the body
    if unknown := sorted(set(body) - TEST_KEYS):
        raise ValidationFailed({unknown[0][:40]: "Unknown field."})
    zone = load_routing(number).time_zone
    caller = parse_caller(body.get("from"))
    at = parse_moment(body.get("at"), zone)
    roll = parse_roll(body.get("roll"))
    send = body.get("sendWebhook", True)
    if not isinstance(send, bool):
        raise ValidationFailed({"sendWebhook": "Send true or false."})
    simulated = simulate_call(actor, number, caller, at, roll, send)
    return {"success": True, "test": simulated_json(simulated)}


@bp.post("/phone-numbers/<id(pn):number_id>/call-me")
@token_required(NUMBERS_MANAGE)
def call_me_api(number_id: str):
    """Ring `to` from the number and hand the answered call to its assistant."""
    body = json_body()
    actor = api_actor(body.get("teamId"), Permission.ASSIGN)
    number = team_number(actor.team.id, number_id)  # another team's number: 404 before the body
    if unknown := sorted(set(body) - {"teamId", "to"}):
        raise ValidationFailed({unknown[0][:40]: "Unknown field."})
    call = call_me(actor, number, parse_phone(body.get("to")))
    return {"success": True, "call": call_json(call)}, 201


def simulated_json(simulated: SimulatedCall) -> dict[str, Any]:
    return {
        "from": simulated.caller,
        "at": iso(simulated.at),
        "timeZone": simulated.routing.time_zone,
        "decision": decision_json(simulated.decision),
        "webhook": simulated.probe.as_json() if simulated.probe else None,
        "outcome": simulated.outcome,
        "call": call_json(simulated.call),
    }


def decision_json(decision: Decision) -> dict[str, Any]:
    def place(destination: Destination | None):
        return destination.as_json() if destination else None

    assistant = decision.assistant
    return {
        "action": decision.action,
        "outcome": decision.outcome,
        "rule": decision.rule,
        "assistant": {"id": assistant.assistant_id, "name": assistant.name} if assistant else None,
        "destination": place(decision.destination),
        "fallback": place(decision.fallback),
        "answerTimeoutSeconds": decision.answer_timeout,
        "steps": [
            {"rule": s.rule, "matched": s.matched, "detail": s.detail} for s in decision.steps
        ],
    }


@bp.get("/calls")
@token_required(NUMBERS_READ)
def list_team_calls():
    actor = api_actor(request.args.get("teamId"))
    limit = _limit(request.args.get("limit"))
    page = list_calls(
        actor.team.id, limit, request.args.get("cursor"), parse_call_filters(request.args)
    )
    calls = [call_json(call) for call in page.calls]
    return {"success": True, "calls": calls, "count": len(calls), "nextCursor": page.next_cursor}


@bp.get("/calls/export")
@token_required(NUMBERS_READ)
def export_calls():
    actor = api_actor(request.args.get("teamId"))
    calls = all_calls(actor.team.id, parse_call_filters(request.args))
    return Response(
        calls_csv(calls),
        mimetype="text/csv",
        headers={"Content-Disposition": 'attachment; filename="calls.csv"'},
    )


def _limit(value: str | None) -> int | None:
    if value is None:
        return None
    if not (value.isascii() and value.isdigit()) or not 1 <= int(value) <= MAX_CALLS_PAGE:
        raise ValidationFailed(
            {"limit": f"Limit must be a whole number from 1 to {MAX_CALLS_PAGE}."}
        )
    return int(value)
