"""Trials: a free team's number expires on time, or stays when the team subscribes."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa

from app import audit
from app.extensions import db
from app.models import HELD, NumberStatus, PhoneNumber, Team, utcnow
from app.numbers.sweeps import Sweep, sweep

# Claimed active → releasing ("expire"), so no trial is released twice.
TRIALS = Sweep(
    due=lambda now: sa.and_(
        PhoneNumber.is_trial.is_(True),
        PhoneNumber.status == NumberStatus.ACTIVE,
        PhoneNumber.trial_expires_at <= now,
    ),
    order=PhoneNumber.trial_expires_at,
    claim={"status": NumberStatus.RELEASING, "status_reason": "expire"},
    done=NumberStatus.EXPIRED,
    name="expired trial",
)


def expire_trials(now: datetime | None = None) -> int:
    """Release every trial past its expiry; safe on several hosts at once. Returns how many."""
    return sweep(TRIALS, now or utcnow())


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
    db.session.commit()
    return len(numbers)
