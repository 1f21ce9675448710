"""A bought replacement takes the old number's place: its campaign, assistant, routing (and
label) move onto the new number, and the old number's release is scheduled with the grace.

Runs only on an active replacement (at purchase, or later by the periodic sweep for an order
that completed late or a purchase made after the cart's hold ended), and is claimed with one
conditional UPDATE, so a retry or a second worker does it once.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from app import audit
from app.accounts.roles import Actor
from app.campaigns.area_codes import place_of
from app.exceptions import ServiceError
from app.extensions import db
from app.models import (
    Campaign,
    CampaignNumber,
    Membership,
    NumberReplacement,
    NumberStatus,
    PhoneNumber,
    ReplacementStatus,
    Role,
    Team,
    User,
    utcnow,
)

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Takeover:
    old: PhoneNumber
    moved: list[str]  # "campaign Spring", "assistant Sales", "routing"
    released: str  # what became of the old number, in words


def complete_replacement(number: PhoneNumber, buyer: Actor | None = None) -> Takeover | None:
    """If this newly active number replaces one, move the old number's campaign, assistant
    and routing onto it and schedule the old one's release. None when it replaces nothing."""
    from app.numbers.releasing import release_number  # releasing imports the purchase path
    from app.routing.store import routing_json, set_routing, writable

    if number.status != NumberStatus.ACTIVE:
        return None
    replacement = db.session.scalar(
        sa.select(NumberReplacement).where(
            NumberReplacement.team_id == number.team_id,
            NumberReplacement.phone_number == number.phone_number,
            NumberReplacement.status == ReplacementStatus.WAITING,
        )
    )
    if replacement is None:
        return None
    actor = _creator(replacement) or buyer
    if actor is None:
        return None
    now = utcnow()
    claimed = db.session.execute(
        sa.update(NumberReplacement)
        .where(
            NumberReplacement.id == replacement.id,
            NumberReplacement.status == ReplacementStatus.WAITING,
        )
        .values(status=ReplacementStatus.DONE, new_number_id=number.id, done_at=now)
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount != 1:
        db.session.rollback()
        return None  # another run took it over
    old = db.session.get(PhoneNumber, replacement.old_number_id)
    moved = _move_campaign(old, number)
    if old.label and not number.label:
        number.label = old.label
    routing = writable(routing_json(old))
    assistant = old.assistant.name if old.assistant else None
    try:
        set_routing(actor, number, routing)  # commits the claim and the campaign with it
    except ServiceError:
        log.exception("replacement %s: the old routing did not carry over", replacement.id)
        db.session.rollback()
        return None
    moved += [f"assistant {assistant}"] if assistant else []
    moved.append("routing")
    audit.record(
        number.team_id,
        actor.user.id,
        audit.Action.REPLACE_DONE,
        subject_id=old.id,
        subject=old.phone_number,
        after={"phone_number": number.phone_number, "moved": moved},
    )
    db.session.commit()
    try:
        gone = release_number(actor, old.id)
    except ServiceError as error:
        db.session.rollback()
        return Takeover(old, moved, f"{old.phone_number} was kept: {error.message}")
    if gone.release_scheduled and gone.release_after is not None:
        when = f"{gone.release_after:%H:%M} UTC"
        return Takeover(old, moved, f"{old.phone_number} is released at {when} (Undo until then)")
    return Takeover(old, moved, f"{old.phone_number} is released")


def _move_campaign(old: PhoneNumber, new: PhoneNumber) -> list[str]:
    member = db.session.get(CampaignNumber, old.id)
    if member is None:
        return []
    campaign = db.session.get(Campaign, member.campaign_id)
    db.session.execute(
        sa.delete(CampaignNumber).where(CampaignNumber.phone_number_id.in_([old.id, new.id]))
    )
    place = place_of(new.phone_number)
    db.session.add(
        CampaignNumber(
            phone_number_id=new.id,
            campaign_id=member.campaign_id,
            team_id=new.team_id,
            country=place.country or new.country_code,
            area_code=place.area_code,
            region=place.region,
        )
    )
    return [f"campaign {campaign.name}"] if campaign else []


def _creator(replacement: NumberReplacement) -> Actor | None:
    """Whoever asked for the replacement, acting for the team, if they are still in it."""
    row = db.session.execute(
        sa.select(User, Team, Membership.role)
        .join(Membership, Membership.user_id == User.id)
        .join(Team, Team.id == Membership.team_id)
        .where(User.id == replacement.created_by_id, Team.id == replacement.team_id)
    ).first()
    return Actor(row[0], row[1], Role(row[2])) if row else None


def complete_due_replacements(now: datetime | None = None) -> str:
    """The periodic sweep: replacements whose order completed after the purchase answered."""
    rows = db.session.execute(
        sa.select(PhoneNumber)
        .join(
            NumberReplacement,
            sa.and_(
                NumberReplacement.team_id == PhoneNumber.team_id,
                NumberReplacement.phone_number == PhoneNumber.phone_number,
            ),
        )
        .where(
            NumberReplacement.status == ReplacementStatus.WAITING,
            PhoneNumber.status == NumberStatus.ACTIVE,
        )
        .limit(100)
    ).scalars()
    done = sum(1 for number in list(rows) if complete_replacement(number) is not None)
    return f"{done} replacements completed"
