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

from app import notices
from app.links import external_url
from app.mail import MailError
from app.mail.messages import send_trial_expired, send_trial_expiring
from app.models import (
    HELD,
    NumberStatus,
    PhoneNumber,
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
            if not notices.claim(kind, number.id, user.id):
                continue
            try:
                _send(kind, number, team, user)
            except MailError:
                notices.give_back(kind, number.id, user.id)
                run.failed += 1
                continue
            if kind == EXPIRING:
                run.expiring += 1
            else:
                run.expired += 1
    return run


def _due(kind: str, condition) -> list[tuple[PhoneNumber, Team, User]]:
    """Each trial number in the window with each of its team's owners not yet told."""
    return notices.numbers_to_tell(
        kind, PhoneNumber.is_trial.is_(True), condition, order=(PhoneNumber.trial_expires_at,)
    )


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
