"""Replace: put a number in the old one's area code (or state) into the team's cart, marked
as its replacement; once it is bought, it takes the old number's campaign, assistant and
routing, and the old number's release is scheduled (the release grace applies: Undo works).

Nothing is released unless the replacement was bought: the takeover (app.numbers.takeover)
runs only on an active replacement.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from app import audit
from app.accounts.roles import Actor, Permission
from app.campaigns.area_codes import place_of
from app.exceptions import (
    Conflict,
    NoNumberNearby,
    NumberUnavailable,
    ValidationFailed,
)
from app.extensions import db
from app.models import (
    Campaign,
    CampaignNumber,
    CartItem,
    NumberReplacement,
    NumberStatus,
    PhoneNumber,
    ReplacementStatus,
    utcnow,
)
from app.numbers.cart import hold_number, live_holds
from app.numbers.queries import team_number
from app.numbers.searching import search_numbers
from app.phone import national
from app.providers.base import SearchFilters

log = logging.getLogger(__name__)
SCOPES = ("area_code", "region")
OFFERS_TRIED = 5


def replace_number(actor: Actor, number_id: object, scope: object = "area_code"):
    """Hold a replacement for the number in the team's cart; answers (replacement, new?).
    Asked again while one waits in the cart, it answers that one."""
    actor.require(Permission.BUY)
    actor.require(Permission.RELEASE)
    if scope not in SCOPES:
        raise ValidationFailed({"scope": "Send area_code (the default) or region."})
    old = team_number(actor.team.id, number_id)
    if old.status != NumberStatus.ACTIVE or old.release_after is not None:
        raise Conflict(f"{old.phone_number} is not active: only an active number is replaced.")
    waiting = _waiting_for(old.id)
    if waiting is not None:
        if _still_on_its_way(waiting):
            return waiting, False
        db.session.delete(waiting)  # its hold lapsed: start again
        db.session.commit()
    held = _hold_nearby(actor, old, str(scope))
    replacement = NumberReplacement(
        team_id=old.team_id,
        old_number_id=old.id,
        phone_number=held,
        created_by_id=actor.user.id,
        created_at=utcnow(),
    )
    db.session.add(replacement)
    audit.record(
        old.team_id,
        actor.user.id,
        audit.Action.REPLACE_START,
        subject_id=old.id,
        subject=old.phone_number,
        after={"phone_number": held},
    )
    try:
        db.session.commit()
    except IntegrityError:  # a second Replace of the same number, a moment ago
        db.session.rollback()
        found = _waiting_for(old.id)
        if found is None:
            raise
        if found.phone_number != held:  # this attempt's hold is not wanted: out of the cart
            db.session.execute(
                sa.delete(CartItem).where(
                    CartItem.team_id == old.team_id, CartItem.phone_number == held
                )
            )
            db.session.commit()
        return found, False
    return replacement, True


def _hold_nearby(actor: Actor, old: PhoneNumber, scope: str) -> str:
    place = place_of(old.phone_number)
    country = place.country or old.country_code
    shown = national(old.phone_number)
    if scope == "area_code" and place.area_code:
        filters = SearchFilters(country, area_code=place.area_code, limit=OFFERS_TRIED)
        where = f"area code {place.area_code}"
        wider = "region" if place.region else None
    elif place.region and "-" in place.region:
        filters = SearchFilters(country, region=place.region.split("-", 1)[1], limit=OFFERS_TRIED)
        where, wider = f"{place.region.split('-', 1)[1]} (the same state or province)", None
    else:
        filters, where, wider = SearchFilters(country, limit=OFFERS_TRIED), country, None
    why = f"No numbers are on offer in {where} to replace {shown}"
    for offer in search_numbers(filters).numbers:
        if offer.phone_number == old.phone_number:
            continue
        try:
            return hold_number(actor, offer.phone_number).phone_number
        except NumberUnavailable:
            continue  # taken meanwhile: the next one
    if wider:
        raise NoNumberNearby(f"{why}. Replace it with a number from the same state instead.", wider)
    raise NoNumberNearby(f"{why}.", None)


def _waiting_for(old_number_id: str) -> NumberReplacement | None:
    return db.session.scalar(
        sa.select(NumberReplacement).where(
            NumberReplacement.old_number_id == old_number_id,
            NumberReplacement.status == ReplacementStatus.WAITING,
        )
    )


def _still_on_its_way(replacement: NumberReplacement) -> bool:
    """Held in the team's cart, or bought and still being ordered."""
    held = db.session.scalar(
        sa.select(CartItem.id).where(
            CartItem.team_id == replacement.team_id,
            live_holds([replacement.phone_number]),
        )
    )
    return held is not None or _bought(replacement) is not None


def _bought(replacement: NumberReplacement) -> PhoneNumber | None:
    return db.session.scalar(
        sa.select(PhoneNumber).where(
            PhoneNumber.team_id == replacement.team_id,
            PhoneNumber.phone_number == replacement.phone_number,
            PhoneNumber.status.in_(
                (NumberStatus.RESERVING, NumberStatus.PENDING, NumberStatus.ACTIVE)
            ),
        )
    )


@dataclass(frozen=True)
class CartReplacement:
    """What a number in the cart replaces, for the cart's one confirmation."""

    old: PhoneNumber
    campaign: str | None
    assistant: str | None


def replacements_in_cart(team_id: str) -> dict[str, CartReplacement]:
    """The team's waiting replacements by their new number."""
    rows = db.session.execute(
        sa.select(NumberReplacement, PhoneNumber, Campaign.name)
        .join(PhoneNumber, PhoneNumber.id == NumberReplacement.old_number_id)
        .outerjoin(CampaignNumber, CampaignNumber.phone_number_id == PhoneNumber.id)
        .outerjoin(Campaign, Campaign.id == CampaignNumber.campaign_id)
        .where(
            NumberReplacement.team_id == team_id,
            NumberReplacement.status == ReplacementStatus.WAITING,
        )
    ).all()
    found = {}
    for replacement, old, campaign in rows:
        assistant = old.assistant.name if old.assistant else None
        found[replacement.phone_number] = CartReplacement(old, campaign, assistant)
    return found


def waiting_replacement(number: PhoneNumber) -> NumberReplacement | None:
    """The replacement waiting for this (old) number, if any."""
    return _waiting_for(number.id)
