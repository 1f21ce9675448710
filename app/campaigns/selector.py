"""Choosing the caller ID for one outbound call from a campaign's pool.

The order: the number this recipient saw last (within CAMPAIGN_STICKY_DAYS), then a number in
the recipient's area code, then in their state/province, then in the nearest state/province
that has one (North America), then in their country, then any; within each, the number used
least today. A number takes a call only through one conditional UPDATE that re-checks its cap,
cool-down and rest in the row it writes, so racing selections never push a number past its cap
(PostgreSQL re-reads a row another transaction just changed before deciding; SQLite has one
writer at a time). The statements are in selector_sql.py; the hot path (the API) reads the
campaign's settings with one Core query and loads no ORM object.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app

from app.campaigns import selector_sql as q
from app.campaigns.area_codes import place_of
from app.exceptions import NoCallerId, NotFound, ValidationFailed
from app.extensions import db
from app.ids import is_id
from app.models import Campaign, Membership, Team, User
from app.phone import canonical

# Lost races tolerated before giving up. Each loss means a concurrent call counted on the
# number this one picked, so losses are bounded by the calls placed meanwhile.
ATTEMPTS = 100


@dataclass(frozen=True)
class Choice:
    phone_number_id: str
    phone_number: str
    reason: str  # sticky | area_code | region | nearest | country | any
    used_today: int  # this call included


@dataclass(frozen=True)
class Settings:
    """What a selection reads of its campaign."""

    id: str
    team_id: str
    name: str
    paused: bool
    daily_cap: int
    cooldown_seconds: int


# Built once, of table columns (Core): the ORM's per-statement work is skipped too.
_C, _M = Campaign.__table__.c, Membership.__table__.c
_SETTINGS = (
    sa.select(_C.id, _C.team_id, _C.name, _C.paused, _C.daily_cap, _C.cooldown_seconds)
    .join(Membership.__table__, _M.team_id == _C.team_id)
    .where(_C.id == sa.bindparam("campaign"), _M.user_id == sa.bindparam("user"))
)


def campaign_settings(user: User, campaign_id: object) -> Settings:
    """The campaign, if it is in one of the user's teams (any role may place calls)."""
    row = None
    if is_id("camp", campaign_id):
        row = db.session.execute(_SETTINGS, {"campaign": campaign_id, "user": user.id}).first()
    if row is None:
        raise NotFound("Campaign not found.")
    return Settings(*row)


def choose_caller_id(team: Team, campaign: Campaign, to: object, now: datetime) -> Choice:
    if campaign.team_id != team.id:  # the callers look it up in the team; this makes sure
        raise NoCallerId("This campaign is not the team's.")
    settings = Settings(
        campaign.id,
        campaign.team_id,
        campaign.name,
        campaign.paused,
        campaign.daily_cap,
        campaign.cooldown_seconds,
    )
    return choose(settings, to, now)


def choose(campaign: Settings, to: object, now: datetime) -> Choice:
    """The number to call `to` from, counted toward its daily cap, and committed."""
    recipient = _recipient(to)
    if campaign.paused:
        raise NoCallerId(f"{campaign.name} is paused: resume it to call from its numbers.")
    place = place_of(recipient)
    key = recipient_key(recipient)
    days = current_app.config["CAMPAIGN_STICKY_DAYS"]
    params = q.base_params(now) | {
        "campaign": campaign.id,
        "team": campaign.team_id,
        "cap": campaign.daily_cap,
        "cooled": now - timedelta(seconds=campaign.cooldown_seconds),
        "key": key,
        "sticky_key": key if days else "",  # no recipient's key is empty: nobody is sticky
        "since": now - timedelta(days=days),
        "area_code": place.area_code,
        "region": place.region,
        "nearest": q.nearest(place.region),
        "country": place.country,
    }
    shape = (bool(campaign.cooldown_seconds), params["nearest"] is not None, bool(place.country))
    claim = _claim_postgresql if db.engine.dialect.name == "postgresql" else _claim_sqlite
    for _attempt in range(ATTEMPTS):
        picked = claim(shape, params)
        if picked is None:
            break
        if picked.used_today is not None:
            db.session.commit()
            return picked
    db.session.rollback()
    raise NoCallerId(
        f"No number in {campaign.name} may call now: each is at its daily cap of "
        f"{campaign.daily_cap}, cooling down, resting or not active."
    )


def recipient_key(e164: str) -> str:
    """The recipient as stored: a keyed hash, so the table never holds whom a team calls."""
    secret = str(current_app.config["SECRET_KEY"]).encode()
    return hmac.new(secret, e164.encode(), hashlib.sha256).hexdigest()


def _recipient(to: object) -> str:
    number = canonical(to) if isinstance(to, str) and len(to) <= 40 else None
    if not number:
        raise ValidationFailed({"to": "Send the number to call in E.164, like +14155550123."})
    return number


def _claim_postgresql(shape: tuple, params: dict) -> Choice | None:
    """One statement: None if no number may call; used_today None if a racing call won."""
    row = db.session.execute(q.pick_and_claim(*shape), params).first()
    if row is None:
        return None
    phone_number_id, phone_number, tier, used_today = row
    return Choice(phone_number_id, phone_number, q.reason(tier), used_today)


def _claim_sqlite(shape: tuple, params: dict) -> Choice | None:
    row = db.session.execute(q.pick_only(*shape), params).first()
    if row is None:
        return None
    phone_number_id, phone_number, tier = row
    picked = params | {"picked": phone_number_id}
    used_today = db.session.execute(q.claim(shape[0]), picked).scalar()
    if used_today is not None:
        db.session.execute(q.remember(), picked)
    return Choice(phone_number_id, phone_number, q.reason(tier), used_today)
