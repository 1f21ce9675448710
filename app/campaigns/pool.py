"""A campaign's pool: which numbers are in it (one campaign each), added and taken out."""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from app import audit
from app.accounts.roles import Actor, Permission
from app.campaigns.area_codes import place_of
from app.exceptions import NotFound
from app.extensions import db
from app.health.rest import resting_until
from app.ids import is_id
from app.models import HELD, Campaign, CampaignNumber, NumberStatus, PhoneNumber, utcnow

MAX_NUMBERS = 1000  # per request; a pool may hold more, added in several
GONE = "Campaign not found (it may have just been deleted)."
# Numbers that may join a pool: held and not on their way out.
JOINABLE = (NumberStatus.RESERVING, NumberStatus.PENDING, NumberStatus.ACTIVE)


def pool(campaign: Campaign) -> list[tuple[PhoneNumber, CampaignNumber]]:
    """The campaign's numbers, in number order (a released or expired one is gone from it:
    the selector never chose it, and it is the team's no more)."""
    rows = db.session.execute(
        sa.select(PhoneNumber, CampaignNumber)
        .join(CampaignNumber, CampaignNumber.phone_number_id == PhoneNumber.id)
        .where(CampaignNumber.campaign_id == campaign.id, PhoneNumber.status.in_(HELD))
        .order_by(PhoneNumber.phone_number)
    )
    return [(number, member) for number, member in rows]


def add_numbers(actor: Actor, campaign: Campaign, phone_number_ids: Sequence[str]) -> int:
    """Put every number in the campaign (moving it out of another), or none at all.
    Returns how many joined (numbers already in it count as none)."""
    actor.require(Permission.MANAGE_ASSISTANTS)
    ids = list(dict.fromkeys(phone_number_ids))
    if bad := next((i for i in ids if not is_id("pn", i)), None):
        raise NotFound(f"Phone number not found: {bad[:40]}.")
    hold(campaign)
    numbers = db.session.scalars(
        sa.select(PhoneNumber).where(
            PhoneNumber.id.in_(ids),
            PhoneNumber.team_id == campaign.team_id,
            PhoneNumber.status.in_(JOINABLE),
            PhoneNumber.release_after.is_(None),
        )
    ).all()
    if missing := [i for i in ids if i not in {n.id for n in numbers}]:
        raise NotFound(f"Phone number not found: {missing[0]}.")
    current = {
        m.phone_number_id: m
        for m in db.session.scalars(
            sa.select(CampaignNumber).where(CampaignNumber.phone_number_id.in_(ids))
        )
    }
    others = _names({m.campaign_id for m in current.values()} - {campaign.id})
    rests = resting_until(ids, utcnow())
    joined = 0
    for number in numbers:
        member = current.get(number.id)
        if member is not None and member.campaign_id == campaign.id:
            continue
        was = others.get(member.campaign_id) if member is not None else None
        if member is not None:
            db.session.delete(member)
            db.session.flush()
        place = place_of(number.phone_number)
        db.session.add(
            CampaignNumber(
                phone_number_id=number.id,
                campaign_id=campaign.id,
                team_id=campaign.team_id,
                country=place.country or number.country_code,
                area_code=place.area_code,
                region=place.region,
                rest_until=rests.get(number.id),  # a resting number stays so
            )
        )
        audit.record(
            campaign.team_id,
            actor.user.id,
            audit.Action.CAMPAIGN_ADD,
            subject_id=number.id,
            subject=number.phone_number,
            before={"campaign_name": was} if was else None,
            after={"campaign_id": campaign.id, "campaign_name": campaign.name},
        )
        joined += 1
    _commit_or_gone()
    return joined


def remove_number(actor: Actor, campaign: Campaign, phone_number_id: str) -> bool:
    """Take a number out of the pool; a number not in it is left as it is (a retry)."""
    actor.require(Permission.MANAGE_ASSISTANTS)
    if not is_id("pn", phone_number_id):  # never sent to the database (a NUL, say)
        raise NotFound("Phone number not found.")
    number = db.session.get(PhoneNumber, phone_number_id)
    if number is None or number.team_id != campaign.team_id:
        raise NotFound("Phone number not found.")
    member = db.session.get(CampaignNumber, phone_number_id)
    if member is None or member.campaign_id != campaign.id:
        return False
    db.session.delete(member)
    audit.record(
        campaign.team_id,
        actor.user.id,
        audit.Action.CAMPAIGN_REMOVE,
        subject_id=phone_number_id,
        subject=number.phone_number,
        before={"campaign_id": campaign.id, "campaign_name": campaign.name},
    )
    db.session.commit()
    return True


def _names(campaign_ids: set[str]) -> dict[str, str]:
    if not campaign_ids:
        return {}
    rows = db.session.execute(
        sa.select(Campaign.id, Campaign.name).where(Campaign.id.in_(campaign_ids))
    )
    return {campaign_id: name for campaign_id, name in rows}


def hold(campaign: Campaign) -> None:
    """Lock the campaign's row (PostgreSQL; SQLite's one writer serialises the same way)."""
    lock = sa.select(Campaign.id).where(Campaign.id == campaign.id).with_for_update()
    if db.session.scalar(lock) is None:
        db.session.rollback()
        raise NotFound(GONE)


def _commit_or_gone() -> None:
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        raise NotFound(GONE) from None
