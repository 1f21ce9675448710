"""Checking numbers' health: a reputation reading kept as history, and the ramp count; each
may raise an alert (app.health.alerts). Run by a periodic job and by `flask numbers health`."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa

from app.extensions import db
from app.health import alerts
from app.health.ramp import age_days, busy_today, calls_today, ramp_limit
from app.health.reputation import Reading, current_reputation
from app.models import HealthCheck, NumberHealth, NumberStatus, PhoneNumber

log = logging.getLogger(__name__)
RECHECK = timedelta(hours=24)  # Telnyx refreshes its cache on a schedule: daily is plenty
RETRY_PENDING = timedelta(hours=1)  # a reading not ready, or a failed check, sooner
BATCH = 200  # reputation checks per sweep run (a run every 10 minutes: 28,800 a day)


@dataclass
class SweepRun:
    checked: int = 0
    alerts: int = 0


def health_row(number: PhoneNumber, *, lock: bool = False) -> NumberHealth:
    """The number's health row, made on first use; locked for the caller's transaction."""
    query = sa.select(NumberHealth).where(NumberHealth.phone_number_id == number.id)
    row = db.session.scalars(query.with_for_update() if lock else query).first()
    if row is None:
        row = NumberHealth(phone_number_id=number.id, team_id=number.team_id, risk="unknown")
        db.session.add(row)
        db.session.flush()
    return row


def check_number(number: PhoneNumber, now: datetime) -> tuple[Reading, bool]:
    """Read the number's spam risk now, keep it, and alert if it rose (True). Commits."""
    reading = current_reputation().check(number.phone_number)
    health = health_row(number, lock=True)
    db.session.add(
        HealthCheck(
            phone_number_id=number.id,
            team_id=number.team_id,
            checked_at=now,
            outcome=reading.outcome,
            risk=reading.risk,
            category=reading.category,
            detail=(reading.detail or "")[:300] or None,
        )
    )
    health.checked_at, health.check_outcome = now, reading.outcome
    if reading.outcome == "ok":  # a failed or pending check keeps the last reading
        health.risk, health.category = reading.risk, reading.category
    elif reading.outcome == "unsupported":
        health.risk, health.category = "unknown", None
    raised = alerts.after_reading(number, health, now)
    db.session.commit()
    if raised:
        alerts.tell_people(number, raised)
    return reading, raised is not None


def check_ramp(number: PhoneNumber, now: datetime) -> bool:
    """Count today's calls against the ramp; alert once on the way over. Commits."""
    usage = calls_today([number.id], now)[number.id]
    limit = ramp_limit(age_days(number, now))
    health = health_row(number, lock=True)
    raised = alerts.after_count(number, health, usage.calls, limit, now)
    db.session.commit()
    if raised:
        alerts.tell_people(number, raised)
    return raised is not None


def due_for_check(now: datetime, limit: int = BATCH) -> list[PhoneNumber]:
    """Active numbers never checked, or not lately (sooner after a pending or failed one)."""
    stale = sa.or_(
        NumberHealth.checked_at.is_(None),
        NumberHealth.checked_at <= now - RECHECK,
        sa.and_(
            NumberHealth.check_outcome.in_(("pending", "failed")),
            NumberHealth.checked_at <= now - RETRY_PENDING,
        ),
    )
    return list(
        db.session.scalars(
            sa.select(PhoneNumber)
            .outerjoin(NumberHealth, NumberHealth.phone_number_id == PhoneNumber.id)
            .where(PhoneNumber.live(now), PhoneNumber.status == NumberStatus.ACTIVE, stale)
            .order_by(NumberHealth.checked_at.nullsfirst(), PhoneNumber.id)
            .limit(limit)
        )
    )


def sweep_health(now: datetime) -> SweepRun:
    """Reputation for the numbers due a check; the ramp for every number that called today
    and for those over it at the last sweep (so the flag clears once they are back under)."""
    run = SweepRun()
    for number in due_for_check(now):
        _reading, raised = check_number(number, now)
        run.checked += 1
        run.alerts += raised
    over = db.session.scalars(
        sa.select(NumberHealth.phone_number_id).where(NumberHealth.over_ramp.is_(True))
    ).all()
    ids = sorted(set(busy_today(now)) | set(over))
    for number in db.session.scalars(
        sa.select(PhoneNumber).where(PhoneNumber.id.in_(ids), PhoneNumber.live(now))
    ).all():
        run.alerts += check_ramp(number, now)
    return run
