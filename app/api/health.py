"""A number's health over the API: its card, and resting it from campaigns (and waking it)."""

from __future__ import annotations

from flask import request

from app.accounts.roles import Permission
from app.accounts.scopes import ASSISTANTS_MANAGE, NUMBERS_READ
from app.api import bp
from app.api.auth import api_actor, read_only, token_required
from app.api.payloads import json_body
from app.exceptions import ValidationFailed
from app.health.card import health_card
from app.health.rest import rest_days, rest_number, wake_number
from app.models import utcnow
from app.numbers.queries import team_number

REST_KEYS = {"teamId", "days"}


@bp.get("/phone-numbers/<id(pn):number_id>/health")
@read_only
@token_required(NUMBERS_READ)
def get_number_health(number_id: str):
    actor = api_actor(request.args.get("teamId"))
    number = team_number(actor.team.id, number_id)
    return {"success": True, "health": health_card(number, utcnow())}


@bp.post("/phone-numbers/<id(pn):number_id>/rest")
@token_required(ASSISTANTS_MANAGE)
def rest(number_id: str):
    """Campaigns skip the number for `days` (1-30, default 7)."""
    body = json_body()
    actor = api_actor(body.get("teamId"), Permission.MANAGE_ASSISTANTS)
    number = team_number(actor.team.id, number_id)
    if unknown := sorted(set(body) - REST_KEYS):
        raise ValidationFailed({unknown[0][:40]: "Unknown field."})
    now = utcnow()
    rest_number(actor, number, rest_days(body.get("days")), now)
    return {"success": True, "health": health_card(number, now)}


@bp.post("/phone-numbers/<id(pn):number_id>/wake")
@token_required(ASSISTANTS_MANAGE)
def wake(number_id: str):
    """End the number's rest now (a number not resting is left as it is)."""
    body = json_body()
    actor = api_actor(body.get("teamId"), Permission.MANAGE_ASSISTANTS)
    number = team_number(actor.team.id, number_id)
    if unknown := sorted(set(body) - {"teamId"}):
        raise ValidationFailed({unknown[0][:40]: "Unknown field."})
    now = utcnow()
    woke = wake_number(actor, number, now)
    return {"success": True, "woke": woke, "health": health_card(number, now)}
