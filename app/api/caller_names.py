"""A number's caller-ID name (CNAM), one name for a campaign's numbers, and Replace."""

from __future__ import annotations

from typing import Any

from flask import request

from app.accounts.roles import Permission
from app.accounts.scopes import ASSISTANTS_MANAGE, NUMBERS_BUY, NUMBERS_MANAGE, NUMBERS_READ
from app.api import bp
from app.api.auth import api_actor, api_user, token_required
from app.api.payloads import json_body
from app.caller_names.lifecycle import apply_to_campaign, caller_name_json, set_caller_name
from app.campaigns import service as campaigns
from app.models import NumberReplacement, PhoneNumber
from app.numbers.queries import team_number
from app.numbers.replacing import replace_number


@bp.get("/phone-numbers/<id(pn):number_id>/caller-name")
@token_required(NUMBERS_READ)
def get_caller_name(number_id: str):
    actor = api_actor(request.args.get("teamId"))
    number = team_number(actor.team.id, number_id)
    return _answer(number)


@bp.put("/phone-numbers/<id(pn):number_id>/caller-name")
@token_required(NUMBERS_MANAGE)
def put_caller_name(number_id: str):
    """Set the name the number shows to the people it calls; the listing takes days."""
    body = json_body()
    actor = api_actor(body.get("teamId"), Permission.LABEL)
    number = team_number(actor.team.id, number_id)  # another team's: 404 whatever the body
    set_caller_name(actor, number, body.get("name"))
    return _answer(number)


@bp.post("/campaigns/<campaign_id>/caller-name")
@token_required(ASSISTANTS_MANAGE)
def campaign_caller_name(campaign_id: str):
    """One name for all the campaign's numbers; toll-free numbers are skipped, by name."""
    name = json_body().get("name")
    actor, campaign = campaigns.find_campaign(api_user(), campaign_id)
    result = apply_to_campaign(actor, campaign, name)
    return {
        "success": True,
        "campaignId": campaign.id,
        "name": result.name,
        "applied": [_brief(n) for n in result.applied],
        "unchanged": [_brief(n) for n in result.unchanged],
        "skipped": [
            {**_brief(n), "reason": "Toll-free numbers have no caller name listing."}
            for n in result.skipped
        ],
        "failed": [{**_brief(n), "message": message} for n, message in result.failed],
    }


@bp.post("/phone-numbers/<id(pn):number_id>/replace")
@token_required(NUMBERS_BUY)
def replace(number_id: str):
    """Hold a number in the same area code (scope "region": the same state) in the cart as
    this one's replacement; buying it moves campaign, assistant and routing and releases
    this one with the release grace. Asked again, it answers the replacement waiting."""
    body = json_body()
    actor = api_actor(body.get("teamId"), Permission.RELEASE)
    replacement, created = replace_number(actor, number_id, body.get("scope", "area_code"))
    return {"success": True, "replacement": replacement_json(replacement)}, 201 if created else 200


def replacement_json(replacement: NumberReplacement) -> dict[str, Any]:
    return {
        "id": replacement.id,
        "oldPhoneNumberId": replacement.old_number_id,
        "phoneNumber": replacement.phone_number,
        "status": replacement.status,
        "newPhoneNumberId": replacement.new_number_id,
    }


def _answer(number: PhoneNumber) -> dict[str, Any]:
    return {"success": True, "phoneNumberId": number.id, "callerName": caller_name_json(number)}


def _brief(number: PhoneNumber) -> dict[str, str]:
    return {"id": number.id, "phoneNumber": number.phone_number}
