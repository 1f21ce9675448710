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
from functools import lru_cache

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.dialects import postgresql, sqlite

from app.campaigns.area_codes import REGION_CENTRES, Place, distance_km, place_of
from app.exceptions import NoCallerId, ValidationFailed
from app.extensions import db
from app.models import Campaign, CampaignNumber, CampaignRecipient, NumberStatus, PhoneNumber, Team
from app.phone import canonical

# Core columns, not ORM attributes: a selection runs on every call placed, and Core
# statements skip the ORM's per-statement work.
CN = CampaignNumber.__table__.c
PN = PhoneNumber.__table__.c
CR = CampaignRecipient.__table__.c
CANDIDATES = 5  # tried in turn: enough to ride out a race or two


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
    choice = None
    for tier, where in _rules_in_order(campaign.id, key, place_of(recipient), now):
        for _attempt in range(4):  # a fresh look while racing callers take the ones seen
            candidates = rules.candidates(tier, where)
            if not candidates:
                break  # nobody free under this rule: the next one
            for phone_number_id, e164, rank in candidates:
                if choice := rules.claim(phone_number_id, e164, _reason(rank)):
                    break
            if choice:
                break
        if choice:
            break
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
            CN.campaign_id == campaign.id,
            CN.team_id == campaign.team_id,
            sa.or_(
                CN.used_on.is_(None),
                CN.used_on != self.today,
                CN.used_today < campaign.daily_cap,
            ),
            sa.or_(CN.last_used_at.is_(None), CN.last_used_at <= now - cooldown)
            if campaign.cooldown_seconds
            else sa.true(),
            sa.or_(CN.rest_until.is_(None), CN.rest_until <= now),
            sa.exists()
            .where(
                PN.id == CN.phone_number_id,
                PN.team_id == campaign.team_id,
                PN.status == NumberStatus.ACTIVE,
                PN.release_after.is_(None),
                sa.or_(PN.is_trial.is_(False), PN.trial_expires_at > now),
            )
            .correlate(CampaignNumber.__table__),  # the number's own row, also where it is joined
        )
        self.used = sa.case((CN.used_on == self.today, CN.used_today), else_=0)

    def candidates(self, tier, where) -> list[tuple[str, str, int]]:
        """The best few numbers free now under one rule: by rank, then least used today."""
        rows = db.session.execute(
            sa.select(CN.phone_number_id, PN.phone_number, tier)
            .join(PhoneNumber.__table__, PN.id == CN.phone_number_id)
            .where(self.free, where)
            .order_by(
                tier,
                self.used,
                CN.last_used_at.nullsfirst(),
                CN.phone_number_id,
            )
            .limit(CANDIDATES)
        )
        return [(pn, e164, rank) for pn, e164, rank in rows]

    def claim(self, phone_number_id: str, e164: str, reason: str) -> Choice | None:
        """Count one call on the number if it may still take one; None if not (any more)."""
        claimed = db.session.execute(
            sa.update(CampaignNumber.__table__)
            .where(CN.phone_number_id == phone_number_id, self.free)
            .values(
                used_today=sa.case(
                    (CN.used_on == self.today, CN.used_today + 1),
                    else_=1,
                ),
                used_on=self.today,
                last_used_at=self.now,
            )
            .returning(CN.used_today)
            .execution_options(synchronize_session=False)
        ).first()
        return None if claimed is None else Choice(phone_number_id, e164, reason, claimed[0])


# Each number's rank for one recipient, as SQL: one query orders the whole pool by it.
STICKY, AREA_CODE, REGION, NEAREST, COUNTRY, ANY = 0, 1, 2, 3, 500, 600


def _reason(rank: int) -> str:
    if rank >= ANY:
        return "any"
    if rank >= COUNTRY:
        return "country"
    if rank >= NEAREST:
        return "nearest"
    return ("sticky", "area_code", "region")[rank]


def _rules_in_order(campaign_id: str, key: str, place: Place, now: datetime):
    """(rank, condition) for each rule in turn, each condition narrow enough for an index:
    the recipient's last number, their area code or their region (one query, ranked 0-2);
    then the other regions of the pool, nearest first, a few at a time; their country; any."""
    days = current_app.config["CAMPAIGN_STICKY_DAYS"]
    last = (
        sa.select(CR.phone_number_id)
        .where(
            CR.campaign_id == campaign_id,
            CR.recipient_hash == key,
            CR.chosen_at > now - timedelta(days=days),
        )
        .scalar_subquery()
    )
    sticky = CN.phone_number_id == last if days else sa.false()
    local = CN.area_code == (place.area_code or "")
    regional = CN.region == (place.region or "")
    yield (
        sa.case((sticky, STICKY), (local, AREA_CODE), else_=REGION),
        sa.or_(sticky, local, regional),
    )
    if place.region in REGION_CENTRES:
        present = db.session.scalars(
            sa.select(CN.region)
            .distinct()
            .where(CN.campaign_id == campaign_id, CN.region.is_not(None))
        ).all()
        ranks = _region_ranks(place.region)
        nearest = sorted((r for r in present if ranks.get(r, 0) >= NEAREST), key=ranks.get)
        for start in range(0, len(nearest), 4):
            chunk = nearest[start : start + 4]
            rank = sa.case({r: ranks[r] for r in chunk}, value=CN.region)
            yield rank, CN.region.in_(chunk)
    if place.country:
        yield sa.literal(COUNTRY), CN.country == place.country
    yield sa.literal(ANY), sa.true()


@lru_cache(maxsize=256)
def _region_ranks(region: str) -> dict[str, int]:
    """The recipient's own region REGION, the others NEAREST onwards by distance."""
    others = sorted(
        (r for r in REGION_CENTRES if r != region), key=lambda r: (distance_km(region, r), r)
    )
    return {region: REGION, **{r: NEAREST + i for i, r in enumerate(others)}}


def _remember(campaign_id: str, key: str, phone_number_id: str, now: datetime) -> None:
    dialect = postgresql if db.engine.dialect.name == "postgresql" else sqlite
    values = {"phone_number_id": phone_number_id, "chosen_at": now}
    db.session.execute(
        dialect.insert(CampaignRecipient.__table__)
        .values(campaign_id=campaign_id, recipient_hash=key, **values)
        .on_conflict_do_update(index_elements=["campaign_id", "recipient_hash"], set_=values)
    )
