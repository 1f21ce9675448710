"""The over-limit grace: a team left holding more than its plan allows gets time to choose.

When a change of plan (the CLI, the Plans page, a billing webhook, a cancellation) or of its
custom limit leaves a team holding more numbers than it may keep, its grace starts: it ends
OVER_LIMIT_GRACE_DAYS later (7 by default), and every team page says so with the date. Its
owners tick the numbers to keep (at most the limit). A further downgrade during a grace keeps
the date it has. The grace ends early, and is cleared, when the team upgrades or falls within
its limit. At its end the sweep (app.plans.enforcement) releases the numbers beyond the limit
that were not kept: unassigned ones first, then the most recently bought.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app

from app import audit
from app.accounts.roles import Actor, Permission
from app.accounts.teams import lock_team
from app.exceptions import Conflict, ValidationFailed
from app.extensions import db
from app.ids import is_id
from app.models import HELD, NumberStatus, PhoneNumber, SentNotice, Team, utcnow
from app.plans.limits import Standing, numbers, standing

# The email that tells owners a grace started (app.plans.limit_notices): one per grace.
GRACE_NOTICE = "over_limit_grace"


def grace_length() -> timedelta:
    return timedelta(days=current_app.config["OVER_LIMIT_GRACE_DAYS"])


def review_limit(team: Team, actor_id: str | None, now: datetime | None = None) -> None:
    """Start or clear the team's grace after its limit changed, in the caller's transaction
    (which moves the team's version: its plan or limit changed too)."""
    now = now or utcnow()
    db.session.flush()  # the new plan or limit, for the count below
    place = standing(team, now, staying_count(team.id, now))
    if place.over and team.grace_ends_at is None:
        start_grace(team, place, actor_id, now)
    elif not place.over and team.grace_ends_at is not None:
        end_grace(team, actor_id)


def staying_count(team_id: str, now: datetime) -> int:
    """The team's live numbers less those already on their way out (releasing): what the
    limit is held against when deciding how many more must go."""
    return (
        db.session.scalar(
            sa.select(sa.func.count()).where(
                PhoneNumber.team_id == team_id,
                PhoneNumber.live(now),
                PhoneNumber.status != NumberStatus.RELEASING,
            )
        )
        or 0
    )


def start_grace(team: Team, place: Standing, actor_id: str | None, now: datetime) -> None:
    """In the caller's transaction, which moves the team's version."""
    team.grace_ends_at = now + grace_length()
    _forget_choices(team.id)
    audit.record(
        team.id,
        actor_id,
        audit.Action.LIMIT_GRACE_START,
        subject_id=team.id,
        subject=place.plan.name,
        after={
            "held": place.held,
            "keep": place.keep_room,
            "over": place.excess,
            "ends_at": team.grace_ends_at.isoformat(),
        },
    )


def end_grace(team: Team, actor_id: str | None) -> None:
    """The team is within its limit again: nothing will be released. In the caller's
    transaction, which moves the team's version."""
    before = team.grace_ends_at
    team.grace_ends_at = None
    _forget_choices(team.id)
    db.session.execute(
        sa.delete(SentNotice).where(
            SentNotice.kind == GRACE_NOTICE, SentNotice.subject_id == team.id
        )
    )
    audit.record(
        team.id,
        actor_id,
        audit.Action.LIMIT_GRACE_END,
        subject_id=team.id,
        before={"ends_at": before.isoformat() if before else None},
    )


def _forget_choices(team_id: str) -> None:
    db.session.execute(
        sa.update(PhoneNumber)
        .where(PhoneNumber.team_id == team_id, PhoneNumber.kept.is_(True))
        .values(kept=False)
        .execution_options(synchronize_session=False)
    )


def keep_numbers(actor: Actor, number_ids: list[str]) -> Standing:
    """Owners choose the numbers to keep through the grace (at most the limit; the choice
    replaces the one before). Conflict when the team has nothing to choose (any more)."""
    actor.require(Permission.CHANGE_PLAN)
    team = actor.team
    lock_team(team.id)  # the sweep claims numbers under this lock: never half a choice
    db.session.refresh(team)
    now = utcnow()
    place = standing(team, now, staying_count(team.id, now))
    if not place.over or team.grace_ends_at is None:
        db.session.rollback()
        raise Conflict(f"{team.name} is within its plan: there is nothing to choose.")
    wanted = list(dict.fromkeys(number_ids))
    if len(wanted) > place.keep_room:
        db.session.rollback()
        raise ValidationFailed({"keep": too_many(place)})
    chosen = _keepable(team.id, wanted)
    if len(chosen) != len(wanted):
        db.session.rollback()
        raise ValidationFailed({"keep": "Some of those numbers are no longer this team's."})
    db.session.execute(
        sa.update(PhoneNumber)
        .where(PhoneNumber.team_id == team.id, PhoneNumber.status.in_(HELD))
        .values(kept=PhoneNumber.id.in_(wanted) if wanted else sa.false())
        .execution_options(synchronize_session=False)
    )
    audit.record(
        team.id,
        actor.user.id,
        audit.Action.KEEP_NUMBERS,
        subject_id=team.id,
        after={"kept": sorted(chosen.values())},
    )
    db.session.commit()
    return place


def too_many(place: Standing) -> str:
    if not place.keep_room:
        return (
            f"The {place.plan.name} plan keeps no bought numbers: choose a paid plan to keep them."
        )
    return f"Choose at most {numbers(place.keep_room)} to keep: {place.allowance}."


def _keepable(team_id: str, ids: list[str]) -> dict[str, str]:
    """Of these ids, the team's live numbers that may be kept: id -> number."""
    valid = [i for i in ids if is_id("pn", i)]
    if not valid:
        return {}
    rows = db.session.execute(
        sa.select(PhoneNumber.id, PhoneNumber.phone_number).where(
            PhoneNumber.id.in_(valid),
            PhoneNumber.team_id == team_id,
            PhoneNumber.status.in_(HELD),
            PhoneNumber.status != NumberStatus.RELEASING,
            PhoneNumber.is_trial.is_(False),
        )
    )
    return {number_id: number for number_id, number in rows}


def release_order() -> tuple[sa.ColumnElement, ...]:
    """Which numbers go first at the end of a grace: unassigned ones, then the newest."""
    return (
        PhoneNumber.assistant_id.is_not(None),
        PhoneNumber.created_at.desc(),
        PhoneNumber.id.desc(),
    )


def to_release(team_id: str, now: datetime) -> sa.Select:
    """The team's numbers the sweep may release, in the order it releases them: active (an
    order still completing waits for the next run), not kept, and not a trial (a trial runs
    out on its own)."""
    return (
        sa.select(PhoneNumber)
        .where(
            PhoneNumber.team_id == team_id,
            PhoneNumber.live(now),
            PhoneNumber.status == NumberStatus.ACTIVE,
            PhoneNumber.kept.is_(False),
            PhoneNumber.is_trial.is_(False),
        )
        .order_by(*release_order())
    )


def due_for_release(team: Team, now: datetime | None = None) -> list[PhoneNumber]:
    """The numbers that would be released at the end of the grace if nothing changed."""
    now = now or utcnow()
    place = standing(team, now, staying_count(team.id, now))
    if not place.over:
        return []
    return list(db.session.scalars(to_release(team.id, now).limit(place.excess)))
