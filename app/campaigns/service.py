"""Campaigns: create, change, delete, and put the team's numbers in them (one campaign each)."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from app import audit
from app.accounts.lookups import find_for_user, find_in_team
from app.accounts.roles import Actor, Permission
from app.assistants.service import clean_name
from app.campaigns.pool import GONE, hold
from app.exceptions import NameTaken, NotFound, ValidationFailed
from app.extensions import db
from app.ids import is_id
from app.models import (
    HELD,
    Assistant,
    Campaign,
    CampaignAssistant,
    CampaignNumber,
    PhoneNumber,
    Team,
    User,
)
from app.models.numbers import name_key

MISSING = "Campaign not found."

MAX_CAP = 10_000
MAX_COOLDOWN = 24 * 60 * 60


def list_campaigns(team: Team) -> list[tuple[Campaign, int]]:
    """The team's campaigns by name, each with how many numbers its pool holds."""
    counts = (
        sa.select(CampaignNumber.campaign_id, sa.func.count().label("n"))
        .join(PhoneNumber, PhoneNumber.id == CampaignNumber.phone_number_id)
        .where(CampaignNumber.team_id == team.id, PhoneNumber.status.in_(HELD))
        .group_by(CampaignNumber.campaign_id)
        .subquery()
    )
    rows = db.session.execute(
        sa.select(Campaign, sa.func.coalesce(counts.c.n, 0))
        .outerjoin(counts, counts.c.campaign_id == Campaign.id)
        .where(Campaign.team_id == team.id)
        .order_by(sa.func.lower(Campaign.name), Campaign.id)
    )
    return [(campaign, count) for campaign, count in rows]


def find_campaign(user: User, campaign_id: object) -> tuple[Actor, Campaign]:
    """The campaign and the user acting for its team; NotFound if it is not in their teams."""
    return find_for_user(Campaign, "camp", user, campaign_id, MISSING)


def team_campaign(team: Team, campaign_id: object) -> Campaign:
    return find_in_team(Campaign, "camp", team.id, campaign_id, MISSING)


def create_campaign(actor: Actor, body: dict[str, Any]) -> Campaign:
    actor.require(Permission.MANAGE_ASSISTANTS)
    settings = clean_settings(body)
    name = _unique_name(actor.team, body.get("name"))
    assistants = _assistants(actor.team, body.get("assistantIds", []))
    campaign = Campaign(team_id=actor.team.id, name=name, **settings)
    campaign.assistants = [CampaignAssistant(assistant_id=a) for a in assistants]
    db.session.add(campaign)
    _flush_name(name)
    audit.record(
        actor.team.id,
        actor.user.id,
        audit.Action.CAMPAIGN_CREATE,
        subject_id=campaign.id,
        subject=campaign.name,
        after=describe(campaign),
    )
    db.session.commit()
    return campaign


def update_campaign(actor: Actor, campaign: Campaign, body: dict[str, Any]) -> Campaign:
    """Rename, pause or resume, change its caps or its assistants: only the fields sent."""
    actor.require(Permission.MANAGE_ASSISTANTS)
    settings = clean_settings(body)
    if "paused" in body:
        if not isinstance(body["paused"], bool):
            raise ValidationFailed({"paused": "Send true or false."})
        settings["paused"] = body["paused"]
    if "name" in body:
        settings["name"] = _unique_name(actor.team, body["name"], campaign)
    assistants = _assistants(actor.team, body["assistantIds"]) if "assistantIds" in body else None
    hold(campaign)
    before = describe(campaign)
    for key, value in settings.items():
        setattr(campaign, key, value)
    if assistants is not None and assistants != [a.assistant_id for a in campaign.assistants]:
        campaign.assistants = [CampaignAssistant(assistant_id=a) for a in assistants]
    after = describe(campaign)
    if after != before:
        _flush_name(campaign.name)
        changed = {k for k in after if after[k] != before[k]}
        audit.record(
            campaign.team_id,
            actor.user.id,
            audit.Action.CAMPAIGN_CHANGE,
            subject_id=campaign.id,
            subject=campaign.name,
            before={k: before[k] for k in changed},
            after={k: after[k] for k in changed},
        )
    db.session.commit()
    return campaign


def delete_campaign(actor: Actor, campaign: Campaign) -> int:
    """Delete it; its numbers stay the team's, out of any pool. Returns how many it held."""
    actor.require(Permission.MANAGE_ASSISTANTS)
    hold(campaign)
    held = db.session.scalar(
        sa.select(sa.func.count()).where(CampaignNumber.campaign_id == campaign.id)
    )
    audit.record(
        campaign.team_id,
        actor.user.id,
        audit.Action.CAMPAIGN_DELETE,
        subject_id=campaign.id,
        subject=campaign.name,
        before={"name": campaign.name, "phone_numbers": held},
    )
    db.session.execute(sa.delete(CampaignNumber).where(CampaignNumber.campaign_id == campaign.id))
    if db.session.execute(sa.delete(Campaign).where(Campaign.id == campaign.id)).rowcount != 1:
        db.session.rollback()
        raise NotFound(GONE)
    db.session.commit()
    return held or 0


def clean_settings(body: dict[str, Any]) -> dict[str, int]:
    settings: dict[str, int] = {}
    for field, column, high in (
        ("dailyCap", "daily_cap", MAX_CAP),
        ("cooldownSeconds", "cooldown_seconds", MAX_COOLDOWN),
    ):
        if field in body:
            value = body[field]
            low = 1 if field == "dailyCap" else 0
            if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
                raise ValidationFailed({field: f"Send a whole number from {low} to {high}."})
            settings[column] = value
    return settings


def describe(campaign: Campaign) -> dict[str, Any]:
    """What History shows before and after a change."""
    return {
        "name": campaign.name,
        "paused": campaign.paused,
        "daily_cap": campaign.daily_cap,
        "cooldown_seconds": campaign.cooldown_seconds,
        "assistant_ids": sorted(a.assistant_id for a in campaign.assistants),
    }


def _assistants(team: Team, ids: object) -> list[str]:
    if not isinstance(ids, list) or not all(isinstance(i, str) for i in ids) or len(ids) > 100:
        raise ValidationFailed({"assistantIds": "Send a list of at most 100 assistant ids."})
    wanted = sorted(set(ids))
    found = set(
        db.session.scalars(
            sa.select(Assistant.id).where(
                Assistant.id.in_([i for i in wanted if is_id("asst", i)]),
                Assistant.team_id == team.id,
            )
        )
    )
    if missing := [i for i in wanted if i not in found]:
        raise NotFound(f"Assistant not found: {missing[0][:40]}.")
    return wanted


def _unique_name(team: Team, name: object, renaming: Campaign | None = None) -> str:
    cleaned = clean_name(name)
    clash = db.session.scalar(
        sa.select(Campaign.name).where(
            Campaign.team_id == team.id,
            Campaign.name_key == name_key(cleaned),
            Campaign.id != (renaming.id if renaming else ""),
        )
    )
    if clash is not None:
        raise NameTaken({"name": f"This team already has a campaign called {clash}."})
    return cleaned


def _flush_name(name: str) -> None:
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        raise NameTaken({"name": f"This team already has a campaign called {name}."}) from None
