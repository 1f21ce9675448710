"""Trials: a free team's number expires on time, or stays when the team subscribes."""

from __future__ import annotations

import logging
from datetime import datetime

import sqlalchemy as sa

from app import audit
from app.accounts.teams import bump_version
from app.extensions import db
from app.models import HELD, NumberStatus, PhoneNumber, Team, utcnow
from app.numbers.settling import finish_release
from app.providers.base import ProviderError

log = logging.getLogger(__name__)


def expire_trials(now: datetime | None = None) -> int:
    """Release every trial past its expiry; safe on several hosts at once. Returns how many.

    Each trial is claimed by one conditional UPDATE (active → releasing), which only one
    run can win on either database, so no trial is released twice.
    """
    now = now or utcnow()
    expired = 0
    skipped: set[str] = set()
    while (number := _next_due(now, skipped)) is not None:
        if not _claim(number, now):
            skipped.add(number.id)  # another run took it
            continue
        try:
            if finish_release(number) == NumberStatus.EXPIRED:
                expired += 1
        except ProviderError as error:  # keep going: one number's failure must not stop the run
            log.warning("could not release expired trial %s: %s", number.id, error.message)
            skipped.add(number.id)
    return expired


def convert_trials(team: Team, actor_id: str | None = None) -> int:
    """A free team that subscribes keeps its live trial as a regular number."""
    now = utcnow()
    numbers = db.session.scalars(
        sa.select(PhoneNumber).where(
            PhoneNumber.team_id == team.id,
            PhoneNumber.is_trial.is_(True),
            PhoneNumber.status.in_(HELD),
            PhoneNumber.trial_expires_at > now,
        )
    ).all()
    for number in numbers:
        audit.record(
            team.id,
            actor_id,
            audit.Action.CONVERT_TRIAL,
            subject_id=number.id,
            subject=number.phone_number,
            before={"is_trial": True, "trial_expires_at": number.trial_expires_at.isoformat()},
            after={"is_trial": False, "trial_expires_at": None},
        )
        number.is_trial = False
        number.trial_expires_at = None
    if numbers:
        bump_version(team.id)
    db.session.commit()
    return len(numbers)


def _due(now: datetime) -> sa.ColumnElement[bool]:
    return sa.and_(
        PhoneNumber.is_trial.is_(True),
        PhoneNumber.status == NumberStatus.ACTIVE,
        PhoneNumber.trial_expires_at <= now,
    )


def _next_due(now: datetime, skipped: set[str]) -> PhoneNumber | None:
    query = sa.select(PhoneNumber).where(_due(now)).order_by(PhoneNumber.trial_expires_at)
    if skipped:
        query = query.where(PhoneNumber.id.not_in(skipped))
    return db.session.scalars(query.limit(1)).first()


def _claim(number: PhoneNumber, now: datetime) -> bool:
    claimed = db.session.execute(
        sa.update(PhoneNumber)
        .where(PhoneNumber.id == number.id, _due(now))
        .values(status=NumberStatus.RELEASING, status_reason="expire")
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount == 1:
        bump_version(number.team_id)
    db.session.commit()
    if claimed.rowcount == 1:
        db.session.refresh(number)
    return claimed.rowcount == 1
