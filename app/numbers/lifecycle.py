"""After the purchase: labels, releasing numbers, trial expiry and trial conversion."""

from __future__ import annotations

import logging
from datetime import datetime

import sqlalchemy as sa

from app import audit
from app.accounts import team_for_user
from app.errors import NotFound, NumberUnavailable, ValidationFailed
from app.extensions import db
from app.ids import is_id
from app.models import HELD_STATUSES, PhoneNumber, User, utcnow
from app.numbers.queries import live_number
from app.numbers.service import provider_error, settle_pending
from app.providers import current_provider
from app.providers.base import ProviderError
from app.text import one_line

log = logging.getLogger(__name__)
MAX_LABEL = 80


def number_for_team(user: User, team_id: str, number_id: str) -> PhoneNumber:
    """A number of one of the user's teams that has not been released; NotFound otherwise."""
    return live_number(team_for_user(user, team_id).id, number_id)


def set_label(user: User, team_id: str, number_id: str, label: object) -> PhoneNumber:
    number = number_for_team(user, team_id, number_id)
    new_label = clean_label(label)
    if new_label != number.label:
        audit.record(
            number.team_id,
            user.id,
            "label",
            subject_id=number.id,
            subject=number.phone_number,
            before={"label": number.label},
            after={"label": new_label},
        )
        number.label = new_label
        db.session.commit()
    return number


def clean_label(label: object) -> str | None:
    if label is None:
        return None
    if not isinstance(label, str):
        raise ValidationFailed({"label": "Label must be a string."})
    label = one_line(label)
    if len(label) > MAX_LABEL:
        raise ValidationFailed({"label": f"Label must be at most {MAX_LABEL} characters."})
    return label or None


def release_number(user: User, team_id: str, number_id: str) -> PhoneNumber:
    """Give the number back to the provider; safe to retry, and a provider failure keeps it."""
    team = team_for_user(user, team_id)
    if not is_id("pn", number_id):
        raise NotFound("Phone number not found.")
    number = db.session.scalar(
        sa.select(PhoneNumber).where(PhoneNumber.id == number_id, PhoneNumber.team_id == team.id)
    )
    if number is None:
        raise NotFound("Phone number not found.")
    if number.status in ("released", "expired"):
        return number  # done before (by a person or the expiry job): a retry succeeds
    if number.status == "pending" and settle_pending(number) != "active":
        raise NumberUnavailable(
            f"{number.phone_number} is still being ordered; release it once the order completes."
        )
    _release_at_provider(number)
    _mark(number, "released", user.id, "release")
    return number


def expire_trials(now: datetime | None = None) -> int:
    """Release every trial past its expiry; safe on several hosts at once. Returns how many."""
    now = now or utcnow()
    expired = 0
    failed: set[str] = set()
    while (number := _claim_due_trial(now, failed)) is not None:
        try:
            _release_at_provider(number)
        except Exception as error:  # keep going: one number's failure must not stop the run
            log.warning("could not release expired trial %s: %s", number.id, error)
            failed.add(number.id)
            db.session.rollback()
            continue
        _mark(number, "expired", None, "expire", now)
        expired += 1
    return expired


def convert_trials(team_id: str, actor_id: str | None = None) -> int:
    """A free team that subscribes keeps its live trial as a regular number."""
    now = utcnow()
    numbers = db.session.scalars(
        sa.select(PhoneNumber).where(
            PhoneNumber.team_id == team_id,
            PhoneNumber.is_trial.is_(True),
            PhoneNumber.status.in_(HELD_STATUSES),
            PhoneNumber.trial_expires_at > now,
        )
    ).all()
    for number in numbers:
        audit.record(
            team_id,
            actor_id,
            "convert_trial",
            subject_id=number.id,
            subject=number.phone_number,
            before={"is_trial": True, "trial_expires_at": number.trial_expires_at.isoformat()},
            after={"is_trial": False, "trial_expires_at": None},
        )
        number.is_trial = False
        number.trial_expires_at = None
    db.session.commit()
    return len(numbers)


def _claim_due_trial(now: datetime, skip: set[str]) -> PhoneNumber | None:
    """Lock one due trial so no other run releases it too.

    PostgreSQL: FOR UPDATE SKIP LOCKED, so parallel runs share the work. SQLite has no row
    locks: a no-op UPDATE takes the database's write lock, and the status check under that
    lock tells whether another run got there first.
    """
    due = sa.and_(
        PhoneNumber.is_trial.is_(True),
        PhoneNumber.status == "active",
        PhoneNumber.trial_expires_at <= now,
        PhoneNumber.id.not_in(skip) if skip else sa.true(),
    )
    query = sa.select(PhoneNumber).where(due).order_by(PhoneNumber.trial_expires_at).limit(1)
    if db.session.get_bind().dialect.name == "postgresql":
        return db.session.scalars(query.with_for_update(skip_locked=True)).first()
    while (candidate := db.session.scalars(query).first()) is not None:
        claimed = db.session.execute(
            sa.update(PhoneNumber)
            .where(PhoneNumber.id == candidate.id, due)
            .values(status=PhoneNumber.status)
        )
        if claimed.rowcount == 1:
            return candidate
        db.session.rollback()
    return None


def _release_at_provider(number: PhoneNumber) -> None:
    if not number.provider_number_id:
        return  # never reached the provider: nothing to give back
    try:
        current_provider().release(number.provider_number_id)
    except ProviderError as error:
        db.session.rollback()
        raise provider_error(error) from error


def _mark(
    number: PhoneNumber,
    status: str,
    actor_id: str | None,
    action: str,
    now: datetime | None = None,
) -> None:
    before = {"status": number.status, "assistant_id": number.assistant_id}
    number.status = status
    number.released_at = now or utcnow()
    number.assistant_id = None
    audit.record(
        number.team_id,
        actor_id,
        action,
        subject_id=number.id,
        subject=number.phone_number,
        before=before,
        after={"status": status, "assistant_id": None},
    )
    db.session.commit()
