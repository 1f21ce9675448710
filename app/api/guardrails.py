"""The team's spending guardrails (read by anyone in the team, set by owners), and purchase
requests: the list, approve (buys it, once) and deny. All off by default: a team that never
turns approvals on never sees a request."""

from __future__ import annotations

from flask import request

from app.accounts.roles import Permission
from app.accounts.scopes import NUMBERS_BUY, NUMBERS_READ, TEAM_MANAGE
from app.api import bp
from app.api.auth import api_actor, token_required
from app.api.idempotency import once
from app.api.payloads import json_body, purchased, request_json
from app.exceptions import ServiceError, ValidationFailed
from app.guardrails.approvals import approve_request, deny_request
from app.guardrails.requests import STATUSES, team_request, team_requests
from app.guardrails.rules import Limits, spending
from app.guardrails.settings import limits_json, month_json, parse_guardrails, update_guardrails
from app.models import Team, utcnow
from app.ratelimit import purchase_limit

MAX_LIST = 200


@bp.get("/teams/<team_id>/guardrails")
@token_required(NUMBERS_READ)
def get_guardrails(team_id: str):
    return guardrails_answer(api_actor(team_id).team)


@bp.patch("/teams/<team_id>/guardrails")
@token_required(TEAM_MANAGE)
def set_guardrails(team_id: str):
    body = json_body()
    actor = api_actor(team_id, Permission.SET_GUARDRAILS)
    return guardrails_answer(update_guardrails(actor, parse_guardrails(body)))


def guardrails_answer(team: Team) -> dict:
    return {
        "success": True,
        "teamId": team.id,
        "guardrails": limits_json(Limits.of(team)),
        "spending": month_json(spending(team)),
    }


@bp.get("/purchase-requests")
@token_required(NUMBERS_READ)
def list_purchase_requests():
    actor = api_actor(request.args.get("teamId"))
    status = request.args.get("status")
    if status is not None and status not in STATUSES:
        raise ValidationFailed({"status": f"Status must be one of {', '.join(STATUSES)}."})
    limit = request.args.get("limit", "50")
    if not (limit.isascii() and limit.isdigit()) or not 1 <= int(limit) <= MAX_LIST:
        raise ValidationFailed({"limit": f"Limit must be a whole number from 1 to {MAX_LIST}."})
    found = team_requests(actor, status, int(limit))
    now = utcnow()
    return {"success": True, "requests": [request_json(r, now) for r in found], "count": len(found)}


@bp.post("/purchase-requests/<id(preq):request_id>/approve")
@purchase_limit  # approving buys: it spends the approver's purchase budget
@token_required(NUMBERS_BUY)
def approve_purchase_request(request_id: str):
    actor = api_actor(json_body().get("teamId"), Permission.APPROVE_PURCHASES)

    def approve():
        try:
            approval = approve_request(actor, request_id)
        except ServiceError as error:
            _with_request(error, actor, request_id)
            raise
        return {
            "success": True,
            "phoneNumber": purchased(approval.number, utcnow()),
            "eligibility": approval.eligibility,
            "request": request_json(approval.request),
        }

    return once(actor.team.id, approve)


@bp.post("/purchase-requests/<id(preq):request_id>/deny")
@token_required(NUMBERS_BUY)
def deny_purchase_request(request_id: str):
    body = json_body()
    actor = api_actor(body.get("teamId"), Permission.APPROVE_PURCHASES)
    try:
        denied = deny_request(actor, request_id, body.get("note"))
    except ServiceError as error:
        _with_request(error, actor, request_id)
        raise
    return {"success": True, "request": request_json(denied)}


def _with_request(error: ServiceError, actor, request_id: str) -> None:
    """A refusal about a request that exists says where the request stands now (failed, with
    the reason, or decided by someone else)."""
    if error.status not in (400, 404):
        error.extra["request"] = request_json(team_request(actor, request_id))
