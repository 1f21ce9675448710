"""Assistants and the numbers they answer on."""

from __future__ import annotations

from typing import Any

from flask import request

from app.accounts.roles import Permission
from app.accounts.scopes import ASSISTANTS_MANAGE, NUMBERS_MANAGE, NUMBERS_READ
from app.api import bp
from app.api.auth import api_actor, api_user, token_required
from app.api.payloads import json_body
from app.assistants import service
from app.exceptions import ValidationFailed
from app.extensions import db
from app.models import Assistant, AssistantDestination
from app.routing import answering
from app.routing.callers import caller_numbers
from app.timefmt import iso


@bp.get("/assistants")
@token_required(NUMBERS_READ)
def list_assistants():
    """With include=routing each assistant also says where it answers and which numbers it
    may call from (only when asked: the documented answer stays as it was)."""
    actor = api_actor(request.args.get("teamId"))
    include = request.args.get("include")
    if include not in (None, "routing"):
        raise ValidationFailed({"include": "Only include=routing is known."})
    rows = service.list_assistants(actor.team)
    assistants = [assistant_json(a, phone_number_count=n) for a, n in rows]
    if include == "routing":
        places = answering.destinations(actor.team.id)
        callers = caller_numbers(actor.team.id)
        secret = actor.can(Permission.MANAGE_ASSISTANTS)
        for shown, (assistant, _n) in zip(assistants, rows, strict=True):
            shown["destination"] = answering.destination_json(
                places.get(assistant.id), assistant.id, secret=secret
            )
            shown["callerIdNumbers"] = [
                {"id": n.id, "phoneNumber": n.phone_number} for n in callers.get(assistant.id, [])
            ]
    return {"success": True, "assistants": assistants, "count": len(assistants)}


@bp.post("/assistants")
@token_required(ASSISTANTS_MANAGE)
def create_assistant():
    body = json_body()
    actor = api_actor(body.get("teamId"))
    if "destination" in body:
        actor.require(Permission.MANAGE_ASSISTANTS)
        answering.parse_body(body["destination"], None)  # refused before anything is made
    assistant = service.create_assistant(actor, body.get("name"))
    if "destination" not in body:
        return {"success": True, "assistant": assistant_json(assistant)}, 201
    place = answering.set_destination(actor, assistant, body["destination"])
    return {"success": True, "assistant": _with_destination(assistant, place)}, 201


@bp.patch("/assistants/<assistant_id>")
@token_required(ASSISTANTS_MANAGE)
def rename_assistant(assistant_id: str):
    """Its name, where it answers (`destination`), or both. The answer shows `destination`
    only when it was sent: a client that only renames gets the answer it always got."""
    body = json_body()
    actor, assistant = service.find_assistant(api_user(), assistant_id)
    if "name" not in body and "destination" not in body:
        raise ValidationFailed({"name": "Name is required."})
    if "destination" in body:
        actor.require(Permission.MANAGE_ASSISTANTS)
        current = db.session.get(AssistantDestination, assistant.id)
        answering.parse_body(body["destination"], current)  # refused before the rename
    if "name" in body:
        assistant = service.rename_assistant(actor, assistant, body["name"])
    if "destination" not in body:
        return {"success": True, "assistant": assistant_json(assistant)}
    place = answering.set_destination(actor, assistant, body["destination"])
    return {"success": True, "assistant": _with_destination(assistant, place)}


def _with_destination(assistant: Assistant, place) -> dict[str, Any]:
    shown = answering.destination_json(place, assistant.id, secret=True)
    return assistant_json(assistant, destination=shown)


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
