"""Campaigns: pools of numbers to call out from, the caller ID for each call, and coverage."""

from __future__ import annotations

from typing import Any

from flask import request

from app.accounts.scopes import ASSISTANTS_MANAGE, NUMBERS_BUY, NUMBERS_READ
from app.api import bp
from app.api.auth import api_actor, api_user, single_statements, token_required
from app.api.payloads import json_body
from app.campaigns import coverage as coverage_service
from app.campaigns import pool, selector, service
from app.exceptions import ValidationFailed
from app.models import Campaign, utcnow
from app.timefmt import iso


@bp.get("/campaigns")
@token_required(NUMBERS_READ)
def list_campaigns():
    actor = api_actor(request.args.get("teamId"))
    rows = service.list_campaigns(actor.team)
    campaigns = [campaign_json(c, phoneNumberCount=n) for c, n in rows]
    return {"success": True, "campaigns": campaigns, "count": len(campaigns)}


@bp.post("/campaigns")
@token_required(ASSISTANTS_MANAGE)
def create_campaign():
    body = json_body()
    actor = api_actor(body.get("teamId"))
    campaign = service.create_campaign(actor, body)
    return {"success": True, "campaign": campaign_json(campaign, phoneNumberCount=0)}, 201


@bp.get("/campaigns/<campaign_id>")
@token_required(NUMBERS_READ)
def get_campaign(campaign_id: str):
    """The campaign with its pool (each number's use today) and its coverage."""
    _actor, campaign = service.find_campaign(api_user(), campaign_id)
    members = pool.pool(campaign)
    numbers = [
        {
            "id": number.id,
            "phoneNumber": number.phone_number,
            "areaCode": member.area_code,
            "region": member.region,
            "usedToday": member.used_today if member.used_on == utcnow().date() else 0,
            "lastUsedAt": iso(member.last_used_at),
            "restUntil": iso(member.rest_until),
        }
        for number, member in members
    ]
    shown = campaign_json(campaign, phoneNumberCount=len(numbers))
    shown.update(phoneNumbers=numbers, coverage=coverage_json(campaign))
    return {"success": True, "campaign": shown}


@bp.patch("/campaigns/<campaign_id>")
@token_required(ASSISTANTS_MANAGE)
def update_campaign(campaign_id: str):
    body = json_body()
    actor, campaign = service.find_campaign(api_user(), campaign_id)
    if not body.keys() & {"name", "paused", "dailyCap", "cooldownSeconds", "assistantIds"}:
        raise ValidationFailed({"name": "Send a field to change."})
    campaign = service.update_campaign(actor, campaign, body)
    return {"success": True, "campaign": campaign_json(campaign)}


@bp.delete("/campaigns/<campaign_id>")
@token_required(ASSISTANTS_MANAGE)
def delete_campaign(campaign_id: str):
    actor, campaign = service.find_campaign(api_user(), campaign_id)
    service.delete_campaign(actor, campaign)
    return {"success": True, "id": campaign_id, "deleted": True}


@bp.post("/campaigns/<campaign_id>/phone-numbers")
@token_required(ASSISTANTS_MANAGE)
def add_campaign_numbers(campaign_id: str):
    ids = json_body().get("phoneNumberIds")
    if not isinstance(ids, list) or not ids or not all(isinstance(i, str) for i in ids):
        raise ValidationFailed({"phoneNumberIds": "Send a non-empty list of phone number ids."})
    if len(ids) > pool.MAX_NUMBERS:
        raise ValidationFailed(
            {"phoneNumberIds": f"At most {pool.MAX_NUMBERS} phone numbers at a time."}
        )
    actor, campaign = service.find_campaign(api_user(), campaign_id)
    added = pool.add_numbers(actor, campaign, ids)
    return {"success": True, "campaignId": campaign.id, "phoneNumberIds": ids, "added": added}


@bp.delete("/campaigns/<campaign_id>/phone-numbers/<number_id>")
@token_required(ASSISTANTS_MANAGE)
def remove_campaign_number(campaign_id: str, number_id: str):
    actor, campaign = service.find_campaign(api_user(), campaign_id)
    removed = pool.remove_number(actor, campaign, number_id)
    return {
        "success": True,
        "campaignId": campaign.id,
        "phoneNumberId": number_id,
        "removed": removed,
    }


@bp.post("/campaigns/<campaign_id>/caller-id")
@single_statements
@token_required(NUMBERS_READ)
def choose_caller(campaign_id: str):
    """The number to call `to` from, and the rule that chose it. Counts toward the number's
    daily cap: ask once per call placed."""
    to = json_body().get("to")
    campaign = selector.campaign_settings(api_user(), campaign_id)
    choice = selector.choose(campaign, to, utcnow())
    return {
        "success": True,
        "campaignId": campaign.id,
        "phoneNumber": {"id": choice.phone_number_id, "phoneNumber": choice.phone_number},
        "reason": choice.reason,
        "usedToday": choice.used_today,
    }


@bp.put("/campaigns/<campaign_id>/coverage")
@token_required(ASSISTANTS_MANAGE)
def set_coverage(campaign_id: str):
    """The destinations the campaign will call (area codes or E.164 numbers), replacing any
    sent before; answers the coverage they get."""
    destinations = json_body().get("destinations")
    actor, campaign = service.find_campaign(api_user(), campaign_id)  # another team's: 404
    if not isinstance(destinations, list):
        raise ValidationFailed({"destinations": "Send a list of area codes or E.164 numbers."})
    counts = coverage_service.parse_destinations(destinations)
    coverage_service.set_destinations(actor, campaign, counts)
    return {"success": True, "campaignId": campaign.id, "coverage": coverage_json(campaign)}


@bp.post("/campaigns/<campaign_id>/fill-gaps")
@token_required(NUMBERS_BUY)
def fill_gaps(campaign_id: str):
    """One number per missing area code into the team's cart (the most called first); what
    was held, what the cart held already (a retry holds nothing twice), and what is still
    missing, with why. The body is {} (a JSON object, as every POST here)."""
    json_body()
    actor, campaign = service.find_campaign(api_user(), campaign_id)
    filled = coverage_service.fill_gaps(actor, campaign)
    return {
        "success": True,
        "campaignId": campaign.id,
        "held": [{"areaCode": a, "phoneNumber": n} for a, n in filled.held],
        "alreadyInCart": [{"areaCode": a, "phoneNumber": n} for a, n in filled.in_cart],
        "missing": [{"areaCode": a, "reason": why} for a, why in filled.unfilled],
    }


def campaign_json(campaign: Campaign, **extra: Any) -> dict[str, Any]:
    return {
        "id": campaign.id,
        "team_id": campaign.team_id,
        "name": campaign.name,
        "paused": campaign.paused,
        "dailyCap": campaign.daily_cap,
        "cooldownSeconds": campaign.cooldown_seconds,
        "assistantIds": sorted(a.assistant_id for a in campaign.assistants),
        "created_at": iso(campaign.created_at),
        **extra,
    }


def coverage_json(campaign: Campaign) -> dict[str, Any] | None:
    if campaign.coverage is None:
        return None
    found = coverage_service.coverage_of(campaign)
    return {
        "destinations": found.destinations,
        "covered": found.covered,
        "share": round(found.share, 4),
        "missingAreaCodes": found.missing,
        "places": [
            {
                "place": p.key,
                "destinations": p.destinations,
                "covered": p.covered,
                "region": p.region,
            }
            for p in found.places
        ],
    }
