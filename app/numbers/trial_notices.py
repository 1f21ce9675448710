"""Emails about trial numbers: a day before one ends, and once it has ended. Each goes once.

Run from cron (`flask numbers notify-trials`), as often as you like and on several hosts at
once: every notice is claimed in `sent_notices` before it is sent, so it goes out once per
number and recipient; a send that fails gives its claim back for the next run.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from app.links import external_url
from app.mail import MailError
from app.mail.messages import send_trial_expired, send_trial_expiring
from app.models import (
    HELD,
    Membership,
    NumberStatus,
    PhoneNumber,
    Role,
    SentNotice,
    Team,
    User,
    utcnow,
)

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
    failed: int = 0


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
            if not _claim(kind, number.id, user.id):
                continue
            try:
                _send(kind, number, team, user)
            except MailError:
                _release(kind, number.id, user.id)
                run.failed += 1
                continue
            if kind == EXPIRING:
                run.expiring += 1
            else:
                run.expired += 1
    return run


def _due(kind: str, condition) -> list[tuple[PhoneNumber, Team, User]]:
    """Each trial number in the window with each of its team's owners not yet told."""
    told = sa.exists().where(
        SentNotice.kind == kind,
        SentNotice.subject_id == PhoneNumber.id,
        SentNotice.user_id == User.id,
    )
    rows = db.session.execute(
        sa.select(PhoneNumber, Team, User)
        .join(Team, Team.id == PhoneNumber.team_id)
        .join(Membership, Membership.team_id == Team.id)
        .join(User, User.id == Membership.user_id)
        .where(
            PhoneNumber.is_trial.is_(True),
            condition,
            Membership.role == Role.OWNER,
            ~told,
        )
        .order_by(PhoneNumber.trial_expires_at, PhoneNumber.id, User.id)
    )
    return [(number, team, user) for number, team, user in rows]


def _claim(kind: str, number_id: str, user_id: str) -> bool:
    db.session.add(SentNotice(kind=kind, subject_id=number_id, user_id=user_id, sent_at=utcnow()))
    try:
        db.session.commit()
    except IntegrityError:  # another run claimed it a moment ago
        db.session.rollback()
        return False
    return True


def _release(kind: str, number_id: str, user_id: str) -> None:
    db.session.execute(
        sa.delete(SentNotice).where(
            SentNotice.kind == kind,
            SentNotice.subject_id == number_id,
            SentNotice.user_id == user_id,
        )
    )
    db.session.commit()


def _send(kind: str, number: PhoneNumber, team: Team, user: User) -> None:
    plans_url = external_url("dashboard.plans", team_id=team.id)
    name = user.name or user.email
    if kind == EXPIRING:
        send_trial_expiring(
            user.email, name, team.name, number.phone_number, number.trial_expires_at, plans_url
        )
    else:
        send_trial_expired(user.email, name, team.name, number.phone_number, plans_url)
    log.info("%s notice for %s sent to %s", kind, number.id, user.id)
