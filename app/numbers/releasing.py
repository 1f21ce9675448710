"""Releasing a number: at once, or after a grace window in which Undo brings it back.

With RELEASE_GRACE_MINUTES (60 by default) a person's release is scheduled: the number keeps
working at the provider and stays held here (under the unique index: no other team can buy
it), but stops counting toward the plan at once. Until the release sweep
(app.numbers.sweeps) takes it, Undo restores it as it was. Scheduling, undoing and the
sweep's claim are each one conditional UPDATE on the number's state, so Undo and the sweep (on
any number of hosts) never both win. With 0, a release is done at once, as it always was.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from flask import current_app

from app import audit
from app.accounts.roles import Actor, Permission
from app.exceptions import NumberUnavailable, PlanLimitReached, TooLateToUndo
from app.extensions import db
from app.models import (
    ORDERING,
    SCHEDULED,
    Assistant,
    AuditEvent,
    NumberStatus,
    PhoneNumber,
    Team,
    utcnow,
)
from app.numbers.failures import provider_failure
from app.numbers.queries import team_number
from app.numbers.settling import finish_release, settle_from_provider, start_release
from app.plans.rules import eligibility, held_count, undo_refusal
from app.providers.base import ProviderError
from app.timefmt import iso, readable

UNCONFIRMED_RELEASE = (
    "It shows as releasing until the provider confirms; releasing it again is safe."
)
GONE = (NumberStatus.RELEASED, NumberStatus.EXPIRED)


def release_number(actor: Actor, number_id: str) -> PhoneNumber:
    """Give the number back, now or once its grace window has passed; safe to retry, and a
    provider failure keeps it."""
    actor.require(Permission.RELEASE)
    number = team_number(actor.team.id, number_id, released=True)
    if number.status in GONE or number.release_scheduled:
        return number  # done or scheduled before (by a person or a job): a retry succeeds
    if number.status in ORDERING and settle_from_provider(number) != NumberStatus.ACTIVE:
        raise NumberUnavailable(
            f"{number.phone_number} is still being ordered; release it once the order completes."
        )
    due = release_time(utcnow(), number)
    if number.status == NumberStatus.ACTIVE and due is not None:
        _schedule(actor, number, due)
        if number.status in GONE or number.release_scheduled:
            return number
    if number.status == NumberStatus.ACTIVE:
        start_release(number, "release")
    try:
        finish_release(number, actor.user.id)
    except ProviderError as error:
        raise provider_failure(error, UNCONFIRMED_RELEASE) from error
    return number


def release_time(now: datetime, number: PhoneNumber | None = None) -> datetime | None:
    """When a release asked for now falls due (None: it is done at once). A trial's end
    comes first: after that it could not come back anyway (and one already over goes now)."""
    grace = current_app.config["RELEASE_GRACE_MINUTES"]
    if not grace:
        return None
    due = now + timedelta(minutes=grace)
    if number is not None and number.is_trial and number.trial_expires_at is not None:
        due = min(due, number.trial_expires_at)
    return due if due > now else None


def _schedule(actor: Actor, number: PhoneNumber, due: datetime) -> bool:
    """Mark an active number released once `due` has passed; False if it moved on meanwhile.
    The number is read afresh either way."""
    kept = _as_it_is(number)
    scheduled = db.session.execute(
        sa.update(PhoneNumber)
        .where(PhoneNumber.id == number.id, PhoneNumber.status == NumberStatus.ACTIVE)
        .values(status=NumberStatus.RELEASING, status_reason=SCHEDULED, release_after=due)
        .execution_options(synchronize_session=False)
    )
    if scheduled.rowcount == 1:
        audit.record(
            number.team_id,
            actor.user.id,
            audit.Action.RELEASE_SCHEDULE,
            subject_id=number.id,
            subject=number.phone_number,
            before=kept,
            after={"release_after": iso(due)},
        )
    db.session.commit()
    db.session.refresh(number)
    return scheduled.rowcount == 1


@dataclass(frozen=True)
class Undone:
    number: PhoneNumber
    eligibility: dict[str, Any]
    # The assistant that answered on it when it was released, deleted since: it is back
    # unassigned, and the answer says so.
    lost_assistant: str | None = None


def undo_release(actor: Actor, number_id: str) -> Undone:
    """Bring a released number back as it was, if the sweep has not taken it and it fits the
    plan. Undoing a number that is back already succeeds again (a retry)."""
    actor.require(Permission.RELEASE)
    number = team_number(actor.team.id, number_id, released=True)
    now = utcnow()
    if number.status == NumberStatus.ACTIVE and number.release_after is None:
        return Undone(number, eligibility(actor.team, held_count(actor.team.id, now)))
    if number.status in ORDERING:
        raise NumberUnavailable(f"{number.phone_number} is being ordered: no release to undo.")
    if not number.release_scheduled:
        raise TooLateToUndo(too_late(number))
    if number.is_trial and number.trial_expires_at and number.trial_expires_at <= now:
        raise TooLateToUndo(
            f"{number.phone_number} cannot come back: its free trial ended at "
            f"{readable(number.trial_expires_at)}."
        )
    # The number's row, then the team's, as every writer of both takes them.
    restored = db.session.execute(
        sa.update(PhoneNumber)
        .where(
            PhoneNumber.id == number.id,
            PhoneNumber.status == NumberStatus.RELEASING,
            PhoneNumber.status_reason == SCHEDULED,
        )
        .values(status=NumberStatus.ACTIVE, status_reason=None, release_after=None)
        .execution_options(synchronize_session=False)
    )
    if restored.rowcount != 1:  # the sweep claimed it a moment ago
        db.session.rollback()
        db.session.refresh(number)
        raise TooLateToUndo(too_late(number))
    team = _lock_team(actor.team.id)
    held = held_count(team.id, now)  # with this number back: this transaction restored it
    if refusal := undo_refusal(team, held, number.phone_number):
        limits = eligibility(team, held - 1)
        db.session.rollback()
        raise PlanLimitReached(refusal, limits)
    lost = _lost_assistant(number)
    audit.record(
        team.id,
        actor.user.id,
        audit.Action.RELEASE_UNDO,
        subject_id=number.id,
        subject=number.phone_number,
        before={"release_after": iso(number.release_after)},
        after={**_as_it_is(number), "lost_assistant": lost},
    )
    db.session.commit()
    db.session.refresh(number)
    return Undone(number, eligibility(team, held), lost)


def back_message(undone: Undone, shown: str) -> str:
    """What Undo did, in words; `shown` is the number as the reader sees it."""
    if undone.lost_assistant:
        return (
            f"{shown} is back, unassigned: its assistant {undone.lost_assistant} was deleted "
            "meanwhile."
        )
    assistant = undone.number.assistant
    answered = f", answered by {assistant.name}" if assistant else ", unassigned"
    return f"{shown} is back{answered}, as before its release."


def too_late(number: PhoneNumber) -> str:
    """Why a release can no longer be undone, in words."""
    if number.status == NumberStatus.EXPIRED:
        return (
            f"Too late to undo: {number.phone_number} was a trial; it ended and went back "
            "to the provider."
        )
    if number.status == NumberStatus.RELEASED:
        when = f" at {readable(number.released_at)}" if number.released_at else ""
        return f"Too late to undo: {number.phone_number} was released{when}."
    return (
        f"Too late to undo: {number.phone_number} is being released at the provider now. "
        "Search for it again once it is released, if you want it back."
    )


def _lock_team(team_id: str) -> Team:
    """The team's row locked (PostgreSQL; SQLite holds its one write lock already) and read
    afresh: purchases and other undos wait here, so the plan check that follows sees every
    number they keep."""
    return db.session.execute(
        sa.update(Team)
        .where(Team.id == team_id)
        .values(name=Team.name)
        .returning(Team)
        .execution_options(populate_existing=True, synchronize_session=False)
    ).scalar_one()


def _as_it_is(number: PhoneNumber) -> dict[str, Any]:
    assistant = number.assistant
    return {
        "assistant_id": number.assistant_id,
        "assistant_name": assistant.name if assistant else None,
        "label": number.label,
    }


def _lost_assistant(number: PhoneNumber) -> str | None:
    """The name of the assistant that answered on the number when it was released, if that
    assistant has been deleted since (its numbers became unassigned)."""
    if number.assistant_id is not None:
        return None
    scheduled = db.session.scalar(
        sa.select(AuditEvent.before)
        .where(
            AuditEvent.subject_id == number.id,
            AuditEvent.action == audit.Action.RELEASE_SCHEDULE,
        )
        .order_by(AuditEvent.created_at.desc(), AuditEvent.id.desc())
        .limit(1)
    )
    was = (scheduled or {}).get("assistant_id")
    if was is None or db.session.get(Assistant, was) is not None:
        return None  # it had none, or someone unassigned it on purpose
    return scheduled.get("assistant_name")
