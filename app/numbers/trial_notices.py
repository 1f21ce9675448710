"""Emails about trial numbers: a day before one ends, and once it has ended. Each goes once.

Run every few minutes by the job queue (and by `flask numbers notify-trials`), on several
hosts at once if need be: every notice is claimed in `sent_notices` in the same transaction
that queues its email (app.notices), so it is queued once per number and recipient, and then
delivered (with retries) by the mail job.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from app import events, notices
from app.events import payloads
from app.extensions import db
from app.links import external_url
from app.mail import messages, outgoing
from app.mail.sending import Email
from app.models import HELD, NumberStatus, PhoneNumber, Team, User, utcnow

log = logging.getLogger(__name__)
EXPIRING = "trial_expiring"
EXPIRED = "trial_expired"
WARN_BEFORE = timedelta(days=1)
# Trials that ended longer ago than this get no notice (the first run after an upgrade).
LOOK_BACK = timedelta(days=3)


@dataclass
class NoticeRun:
    expiring: int = 0
    expired: int = 0


def notify_trials(now: datetime | None = None) -> NoticeRun:
    now = now or utcnow()
    run = NoticeRun()
    # A trial its team has released (waiting out the grace window) needs no reminder.
    ending_soon = sa.and_(
        PhoneNumber.status.in_(HELD),
        PhoneNumber.release_after.is_(None),
        PhoneNumber.trial_expires_at > now,
        PhoneNumber.trial_expires_at <= now + WARN_BEFORE,
    )
    ended = sa.and_(
        PhoneNumber.status.in_((*HELD, NumberStatus.EXPIRED)),
        PhoneNumber.release_after.is_(None),
        PhoneNumber.trial_expires_at <= now,
        PhoneNumber.trial_expires_at > now - LOOK_BACK,
    )
    for kind, condition in ((EXPIRING, ending_soon), (EXPIRED, ended)):
        for number, team, user in _due(kind, condition):
            if not _queue(kind, number, team, user):
                continue
            if kind == EXPIRING:
                run.expiring += 1
            else:
                run.expired += 1
    _announce_expiring(ending_soon)
    return run


def _announce_expiring(ending_soon: sa.ColumnElement[bool]) -> None:
    """number.trial_expiring to the teams' webhooks, once per number and endpoint (the
    delivery's once_key; a run racing this one loses on the unique key and skips it)."""
    numbers = db.session.scalars(
        sa.select(PhoneNumber)
        .join(Team, Team.id == PhoneNumber.team_id)
        .where(
            PhoneNumber.is_trial.is_(True),
            ending_soon,
            Team.webhook_events.contains(",number.trial_expiring,", autoescape=True),
        )
        .order_by(PhoneNumber.trial_expires_at, PhoneNumber.id)
    ).all()
    for number in numbers:
        data = payloads.number(number, trialExpiresAt=payloads.stamp(number.trial_expires_at))
        events.emit(
            number.team_id,
            "number.trial_expiring",
            data,
            once_key=f"number.trial_expiring:{number.id}",
        )
        try:
            db.session.commit()
        except IntegrityError:
            db.session.rollback()


@outgoing.composer(EXPIRING)
def expiring_email(to: str, name: str, team: str, number: str, ends: str, team_id: str) -> Email:
    plans = external_url("dashboard.plans", team_id=team_id)
    return messages.trial_expiring(to, name, team, number, datetime.fromisoformat(ends), plans)


@outgoing.composer(EXPIRED)
def expired_email(to: str, name: str, team: str, number: str, team_id: str) -> Email:
    plans = external_url("dashboard.plans", team_id=team_id)
    return messages.trial_expired(to, name, team, number, plans)


def _due(kind: str, condition) -> list[tuple[PhoneNumber, Team, User]]:
    """Each trial number in the window with each of its team's owners not yet told."""
    return notices.numbers_to_tell(
        kind, PhoneNumber.is_trial.is_(True), condition, order=(PhoneNumber.trial_expires_at,)
    )


def _queue(kind: str, number: PhoneNumber, team: Team, user: User) -> bool:
    facts = {"name": user.name or user.email, "team": team.name, "number": number.phone_number}
    if kind == EXPIRING:
        facts["ends"] = number.trial_expires_at.isoformat()
    queued = notices.queue_once(kind, number.id, user, kind, team_id=team.id, **facts)
    if queued:
        log.info("%s notice for %s queued for %s", kind, number.id, user.id)
    return queued
