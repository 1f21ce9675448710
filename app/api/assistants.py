"""Assistants and the numbers they answer on."""

from __future__ import annotations

from typing import Any

from flask import request

from app.accounts.scopes import ASSISTANTS_MANAGE, NUMBERS_MANAGE, NUMBERS_READ
from app.api import bp
from app.api.auth import api_actor, api_user, token_required
from app.api.payloads import json_body
from app.assistants import service
from app.exceptions import ValidationFailed
from app.models import Assistant
from app.timefmt import iso


@bp.get("/assistants")
@token_required(NUMBERS_READ)
def list_assistants():
    actor = api_actor(request.args.get("teamId"))
    rows = service.list_assistants(actor.team)
    assistants = [assistant_json(a, phone_number_count=n) for a, n in rows]
    return {"success": True, "assistants": assistants, "count": len(assistants)}


@bp.post("/assistants")
@token_required(ASSISTANTS_MANAGE)
def create_assistant():
    body = json_body()
    assistant = service.create_assistant(api_actor(body.get("teamId")), body.get("name"))
    return {"success": True, "assistant": assistant_json(assistant)}, 201


@bp.patch("/assistants/<assistant_id>")
@token_required(ASSISTANTS_MANAGE)
def rename_assistant(assistant_id: str):
    name = json_body().get("name")
    actor, assistant = service.find_assistant(api_user(), assistant_id)
    return {
        "success": True,
        "assistant": assistant_json(service.rename_assistant(actor, assistant, name)),
    }


@bp.delete("/assistants/<assistant_id>")
@token_required(ASSISTANTS_MANAGE)
def delete_assistant(assistant_id: str):
    actor, assistant = service.find_assistant(api_user(), assistant_id)
    service.delete_assistant(actor, assistant)
    return {"success": True, "id": assistant_id, "deleted": True}


@bp.post("/assistants/<assistant_id>/phone-numbers")
@token_required(NUMBERS_MANAGE)
def assign(assistant_id: str):
    ids = json_body().get("phoneNumberIds")
    if not isinstance(ids, list) or not ids or not all(isinstance(i, str) for i in ids):
        raise ValidationFailed({"phoneNumberIds": "Send a non-empty list of phone number ids."})
    if len(ids) > service.MAX_ASSIGN:
        raise ValidationFailed(
            {"phoneNumberIds": f"At most {service.MAX_ASSIGN} phone numbers at a time."}
        )
    actor, assistant = service.find_assistant(api_user(), assistant_id)
    service.assign_numbers(actor, assistant, ids)
    return {"success": True, "assistant": assistant_json(assistant), "phoneNumberIds": ids}


@bp.delete("/assistants/<assistant_id>/phone-numbers/<number_id>")
@token_required(NUMBERS_MANAGE)
def unassign(assistant_id: str, number_id: str):
    actor, assistant = service.find_assistant(api_user(), assistant_id)
    service.unassign_number(actor, assistant, number_id)
    return {"success": True, "assistant_id": assistant_id, "phone_number_id": number_id}


def assistant_json(assistant: Assistant, **extra: Any) -> dict[str, Any]:
    return {
        "id": assistant.id,
        "team_id": assistant.team_id,
        "name": assistant.name,
        "created_at": iso(assistant.created_at),
        **extra,
    }
