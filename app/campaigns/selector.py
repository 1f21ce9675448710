"""Choosing the caller ID for one outbound call from a campaign's pool.

The order: the number this recipient saw last (within CAMPAIGN_STICKY_DAYS), then a number in
the recipient's area code, then in their state/province, then in the nearest state/province
that has one (North America), then in their country, then any; within each, the number used
least today. A number takes a call only through one conditional UPDATE that re-checks its cap,
cool-down and rest in the row it writes, so racing selections never push a number past its cap
(PostgreSQL re-reads a row another transaction just changed before deciding; SQLite has one
writer at a time).
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.dialects import postgresql, sqlite

from app.campaigns.area_codes import distance_km, place_of
from app.exceptions import NoCallerId, ValidationFailed
from app.extensions import db
from app.models import Campaign, CampaignNumber, CampaignRecipient, NumberStatus, PhoneNumber, Team
from app.phone import canonical

CANDIDATES = 5  # tried per rule before the next: enough to ride out a race or two


@dataclass(frozen=True)
class Choice:
    phone_number_id: str
    phone_number: str
    reason: str  # sticky | area_code | region | nearest | country | any
    used_today: int  # this call included


def choose_caller_id(team: Team, campaign: Campaign, to: object, now: datetime) -> Choice:
    recipient = _recipient(to)
    if campaign.team_id != team.id:  # the callers look it up in the team; this makes sure
        raise NoCallerId("This campaign is not the team's.")
    if campaign.paused:
        raise NoCallerId(f"{campaign.name} is paused: resume it to call from its numbers.")
    rules = _Rules(campaign, now)
    key = recipient_key(recipient)
    choice = _sticky(rules, key, now) or _by_place(rules, recipient)
    if choice is None:
        db.session.rollback()
        raise NoCallerId(
            f"No number in {campaign.name} may call now: each is at its daily cap of "
            f"{campaign.daily_cap}, cooling down, resting or not active."
        )
    _remember(campaign.id, key, choice.phone_number_id, now)
    db.session.commit()
    return choice


def recipient_key(e164: str) -> str:
    """The recipient as stored: a keyed hash, so the table never holds whom a team calls."""
    secret = str(current_app.config["SECRET_KEY"]).encode()
    return hmac.new(secret, e164.encode(), hashlib.sha256).hexdigest()


def _recipient(to: object) -> str:
    number = canonical(to) if isinstance(to, str) and len(to) <= 40 else None
    if not number:
        raise ValidationFailed({"to": "Send the number to call in E.164, like +14155550123."})
    return number


class _Rules:
    """The conditions a number must meet to take a call now, as SQL."""

    def __init__(self, campaign: Campaign, now: datetime):
        self.campaign, self.now, self.today = campaign, now, now.date()
        cooldown = timedelta(seconds=campaign.cooldown_seconds)
        self.free = sa.and_(
            CampaignNumber.campaign_id == campaign.id,
            CampaignNumber.team_id == campaign.team_id,
            sa.or_(
                CampaignNumber.used_on.is_(None),
                CampaignNumber.used_on != self.today,
                CampaignNumber.used_today < campaign.daily_cap,
            ),
            sa.or_(
                CampaignNumber.last_used_at.is_(None), CampaignNumber.last_used_at <= now - cooldown
            )
            if campaign.cooldown_seconds
            else sa.true(),
            sa.or_(CampaignNumber.rest_until.is_(None), CampaignNumber.rest_until <= now),
            sa.exists().where(
                PhoneNumber.id == CampaignNumber.phone_number_id,
                PhoneNumber.team_id == campaign.team_id,
                PhoneNumber.status == NumberStatus.ACTIVE,
                PhoneNumber.release_after.is_(None),
                sa.or_(PhoneNumber.is_trial.is_(False), PhoneNumber.trial_expires_at > now),
            ),
        )
        self.used = sa.case(
            (CampaignNumber.used_on == self.today, CampaignNumber.used_today), else_=0
        )

    def candidates(self, *where) -> list[tuple[str, int]]:
        rows = db.session.execute(
            sa.select(CampaignNumber.phone_number_id, self.used)
            .where(self.free, *where)
            .order_by(
                self.used, CampaignNumber.last_used_at.nullsfirst(), CampaignNumber.phone_number_id
            )
            .limit(CANDIDATES)
        )
        return [(pn, used) for pn, used in rows]

    def claim(self, phone_number_id: str, reason: str) -> Choice | None:
        """Count one call on the number if it may still take one; None if not (any more)."""
        claimed = db.session.execute(
            sa.update(CampaignNumber)
            .where(CampaignNumber.phone_number_id == phone_number_id, self.free)
            .values(
                used_today=sa.case(
                    (CampaignNumber.used_on == self.today, CampaignNumber.used_today + 1), else_=1
                ),
                used_on=self.today,
                last_used_at=self.now,
            )
            .returning(CampaignNumber.used_today)
            .execution_options(synchronize_session=False)
        ).first()
        if claimed is None:
            return None
        e164 = db.session.scalar(
            sa.select(PhoneNumber.phone_number).where(PhoneNumber.id == phone_number_id)
        )
        return Choice(phone_number_id, e164, reason, claimed[0])

    def first(self, reason: str, *where) -> Choice | None:
        for phone_number_id, _used in self.candidates(*where):
            if choice := self.claim(phone_number_id, reason):
                return choice
        return None


def _sticky(rules: _Rules, key: str, now: datetime) -> Choice | None:
    days = current_app.config["CAMPAIGN_STICKY_DAYS"]
    if not days:
        return None
    last = db.session.scalar(
        sa.select(CampaignRecipient.phone_number_id).where(
            CampaignRecipient.campaign_id == rules.campaign.id,
            CampaignRecipient.recipient_hash == key,
            CampaignRecipient.chosen_at > now - timedelta(days=days),
        )
    )
    return rules.claim(last, "sticky") if last else None


def _by_place(rules: _Rules, recipient: str) -> Choice | None:
    place = place_of(recipient)
    if place.area_code and (
        choice := rules.first("area_code", CampaignNumber.area_code == place.area_code)
    ):
        return choice
    if place.region:
        if choice := rules.first("region", CampaignNumber.region == place.region):
            return choice
        regions = db.session.scalars(
            sa.select(CampaignNumber.region)
            .distinct()
            .where(rules.free, CampaignNumber.region.is_not(None))
        ).all()
        for region in sorted(regions, key=lambda r: (distance_km(place.region, r), r)):
            if distance_km(place.region, region) == float("inf"):
                break
            if choice := rules.first("nearest", CampaignNumber.region == region):
                return choice
    if place.country and (
        choice := rules.first("country", CampaignNumber.country == place.country)
    ):
        return choice
    return rules.first("any")


def _remember(campaign_id: str, key: str, phone_number_id: str, now: datetime) -> None:
    dialect = postgresql if db.engine.dialect.name == "postgresql" else sqlite
    values = {"phone_number_id": phone_number_id, "chosen_at": now}
    db.session.execute(
        dialect.insert(CampaignRecipient)
        .values(campaign_id=campaign_id, recipient_hash=key, **values)
        .on_conflict_do_update(index_elements=["campaign_id", "recipient_hash"], set_=values)
    )
