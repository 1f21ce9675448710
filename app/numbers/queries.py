"""Read-side queries on phone numbers, shared by the services and the sandbox provider."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import contains_eager

from app.errors import NotFound
from app.extensions import db
from app.ids import is_id
from app.models import HELD_STATUSES, PhoneNumber, utcnow


def counts_toward_plan(now: datetime) -> sa.ColumnElement[bool]:
    """Held and not a trial past its expiry (which reads as expired before any job runs)."""
    return sa.and_(
        PhoneNumber.status.in_(HELD_STATUSES),
        sa.or_(PhoneNumber.is_trial.is_(False), PhoneNumber.trial_expires_at > now),
    )


def held_count(team_id: str, now: datetime | None = None) -> int:
    query = sa.select(sa.func.count()).where(
        PhoneNumber.team_id == team_id, counts_toward_plan(now or utcnow())
    )
    return db.session.scalar(query) or 0


def held_numbers(candidates: Sequence[str]) -> set[str]:
    """Which of these E.164 numbers some team on this platform holds."""
    if not candidates:
        return set()
    query = sa.select(PhoneNumber.phone_number).where(
        PhoneNumber.phone_number.in_(candidates), PhoneNumber.status.in_(HELD_STATUSES)
    )
    return set(db.session.scalars(query))


def team_numbers(
    team_id: str, limit: int | None = None, after: tuple[datetime, str] | None = None
) -> list[PhoneNumber]:
    """The team's numbers, newest first, with assistant and buyer in the same query.

    `after` is the (created_at, id) of the last row of the previous page: keyset paging
    costs the same on page 1 and page 500.
    """
    query = (
        sa.select(PhoneNumber)
        .outerjoin(PhoneNumber.assistant)
        .outerjoin(PhoneNumber.created_by)
        .options(contains_eager(PhoneNumber.assistant), contains_eager(PhoneNumber.created_by))
        .where(PhoneNumber.team_id == team_id, PhoneNumber.status != "released")
        .order_by(PhoneNumber.created_at.desc(), PhoneNumber.id.desc())
    )
    if after is not None:
        query = query.where(sa.tuple_(PhoneNumber.created_at, PhoneNumber.id) < after)
    if limit is not None:
        query = query.limit(limit)
    return list(db.session.scalars(query))


def live_number(team_id: str, number_id: str) -> PhoneNumber:
    """The team's number if it has not been released; NotFound otherwise."""
    number = None
    if is_id("pn", number_id):
        number = db.session.scalar(
            sa.select(PhoneNumber).where(
                PhoneNumber.id == number_id,
                PhoneNumber.team_id == team_id,
                PhoneNumber.status != "released",
            )
        )
    if number is None:
        raise NotFound("Phone number not found.")
    return number
