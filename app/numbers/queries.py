"""Read-side queries on phone numbers, shared by the services (and the sandbox, by callback)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import contains_eager

from app.exceptions import NotFound
from app.extensions import db
from app.ids import is_id
from app.models import HELD, CartItem, NumberStatus, PhoneNumber, utcnow

_IN_LIST_MAX = 100  # above this many candidates, read the held numbers in their range


def held_numbers(candidates: Sequence[str]) -> set[str]:
    """Which of these E.164 numbers some team on this platform holds, or has in its cart."""
    if not candidates:
        return set()
    if len(candidates) <= _IN_LIST_MAX:
        numbers = sa.bindparam("numbers", list(candidates), expanding=True)
        held = PhoneNumber.phone_number.in_(numbers)
        carted = CartItem.phone_number.in_(numbers)
    else:
        # A thousand bound parameters cost more than reading the few held numbers in the
        # range (both indexes are on the number): filter those here instead.
        low, high = min(candidates), max(candidates)
        held = PhoneNumber.phone_number.between(low, high)
        carted = CartItem.phone_number.between(low, high)
    query = sa.union(
        sa.select(PhoneNumber.phone_number).where(held, PhoneNumber.status.in_(HELD)),
        sa.select(CartItem.phone_number).where(carted, CartItem.expires_at > utcnow()),
    )
    found = set(db.session.scalars(query))
    return found if len(candidates) <= _IN_LIST_MAX else found & set(candidates)


def lock_number(phone_number: str) -> None:
    """Serialise, until the transaction ends, every hold and purchase of this number.

    A hold (cart_items) and a purchase (phone_numbers) each check the other's table before
    writing their own; without one lock both could pass and both stand. PostgreSQL: an
    advisory lock on the number. SQLite: any write statement takes its one write lock.
    """
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(sa.select(sa.func.pg_advisory_xact_lock(sa.func.hashtext(phone_number))))
    else:
        db.session.execute(sa.update(CartItem).where(sa.false()).values(place=CartItem.place))


def held_from(provider: str) -> list[tuple[str, str]]:
    """(provider number id, number) of every number held here that the provider sold us."""
    rows = db.session.execute(
        sa.select(PhoneNumber.provider_number_id, PhoneNumber.phone_number).where(
            PhoneNumber.provider == provider,
            PhoneNumber.status.in_((NumberStatus.ACTIVE, NumberStatus.RELEASING)),
            PhoneNumber.provider_number_id.is_not(None),
        )
    )
    return [(owned_id, number) for owned_id, number in rows]


def team_numbers(
    team_id: str, limit: int | None = None, after: tuple[datetime, str] | None = None
) -> list[PhoneNumber]:
    """The team's numbers (released ones left out), newest first, with assistant and buyer.

    `after` is the (created_at, id) of the last row of the previous page: keyset paging
    costs the same on page 1 and page 500.
    """
    query = (
        sa.select(PhoneNumber)
        .outerjoin(PhoneNumber.assistant)
        .outerjoin(PhoneNumber.created_by)
        .options(contains_eager(PhoneNumber.assistant), contains_eager(PhoneNumber.created_by))
        .where(PhoneNumber.team_id == team_id, PhoneNumber.status != NumberStatus.RELEASED)
        .order_by(PhoneNumber.created_at.desc(), PhoneNumber.id.desc())
    )
    if after is not None:
        query = query.where(sa.tuple_(PhoneNumber.created_at, PhoneNumber.id) < after)
    if limit is not None:
        query = query.limit(limit)
    return list(db.session.scalars(query))


def team_number(team_id: str, number_id: object, *, released: bool = False) -> PhoneNumber:
    """One of the team's numbers (released ones only when asked); NotFound otherwise."""
    number = None
    if is_id("pn", number_id):
        query = sa.select(PhoneNumber).where(
            PhoneNumber.id == number_id, PhoneNumber.team_id == team_id
        )
        if not released:
            query = query.where(PhoneNumber.status != NumberStatus.RELEASED)
        number = db.session.scalar(query)
    if number is None:
        raise NotFound("Phone number not found.")
    return number
