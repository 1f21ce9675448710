"""Resting a number: the caller-ID selector skips it for a few days; Wake ends it early.

The rest is the number's (its health row), and is copied onto its campaign row, which is what
the selector reads in the one UPDATE that claims a number (app.campaigns.selector), so the
selection stays a single indexed statement; a number that joins a campaign while resting
takes its rest along (app.campaigns.pool)."""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa

from app import audit
from app.accounts.roles import Actor, Permission
from app.exceptions import ValidationFailed
from app.extensions import db
from app.models import CampaignNumber, NumberHealth, PhoneNumber
from app.timefmt import iso

DEFAULT_DAYS, MIN_DAYS, MAX_DAYS = 7, 1, 30


def rest_days(value: object, field: str = "days") -> int:
    """Whole days, 1-30; None is the default. The form turns its text into a number first."""
    if value is None or value == "":
        return DEFAULT_DAYS
    if isinstance(value, bool) or not isinstance(value, int) or not MIN_DAYS <= value <= MAX_DAYS:
        raise ValidationFailed({field: f"Rest for a whole number of days, {MIN_DAYS}–{MAX_DAYS}."})
    return value


def rest_number(actor: Actor, number: PhoneNumber, days: int, now: datetime) -> datetime:
    """Rest the number until `days` from now (a second rest replaces the first). Commits."""
    actor.require(Permission.MANAGE_ASSISTANTS)
    until = now + timedelta(days=days)
    health = _row(number)
    before = iso(health.rest_until) if health.rest_until and health.rest_until > now else None
    _set(number, health, until)
    audit.record(
        number.team_id,
        actor.user.id,
        audit.Action.NUMBER_REST,
        subject_id=number.id,
        subject=number.phone_number,
        before={"rest_until": before},
        after={"rest_until": iso(until), "days": days},
    )
    db.session.commit()
    return until


def wake_number(actor: Actor, number: PhoneNumber, now: datetime) -> bool:
    """End the number's rest now; False (and nothing written) when it was not resting."""
    actor.require(Permission.MANAGE_ASSISTANTS)
    health = _row(number)
    if health.rest_until is None or health.rest_until <= now:
        db.session.rollback()
        return False
    before = iso(health.rest_until)
    _set(number, health, None)
    audit.record(
        number.team_id,
        actor.user.id,
        audit.Action.NUMBER_WAKE,
        subject_id=number.id,
        subject=number.phone_number,
        before={"rest_until": before},
    )
    db.session.commit()
    return True


def _row(number: PhoneNumber) -> NumberHealth:
    from app.health.checks import health_row

    return health_row(number, lock=True)


def _set(number: PhoneNumber, health: NumberHealth, until: datetime | None) -> None:
    health.rest_until = until
    db.session.execute(
        sa.update(CampaignNumber)
        .where(CampaignNumber.phone_number_id == number.id)
        .values(rest_until=until)
        .execution_options(synchronize_session=False)
    )


def resting_until(number_ids: list[str], now: datetime) -> dict[str, datetime]:
    """When each resting number's rest ends (for numbers joining a campaign), in one query."""
    rows = db.session.execute(
        sa.select(NumberHealth.phone_number_id, NumberHealth.rest_until).where(
            NumberHealth.phone_number_id.in_(number_ids), NumberHealth.rest_until > now
        )
    )
    return {number_id: until for number_id, until in rows}
