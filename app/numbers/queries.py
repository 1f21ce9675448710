"""Read-side queries on phone numbers, shared by the services (and the sandbox, by callback)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import NamedTuple

import sqlalchemy as sa
from sqlalchemy.orm import contains_eager

from app.exceptions import NotFound
from app.extensions import db
from app.ids import is_id
from app.models import HELD, Assistant, CartItem, NumberStatus, PhoneNumber, User, utcnow
from app.numbers.listed import LIST_COLUMNS
from app.plans.rules import held_count_query
from app.plans.trial_rights import had_trial

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


def number_lock(phone_number: str) -> sa.ColumnElement:
    """An expression that, evaluated in a statement, locks the number until the transaction ends.

    A hold (cart_items) and a purchase (phone_numbers) each check the other's table before
    writing their own; without one lock both could pass and both stand. PostgreSQL: an
    advisory lock on the number. SQLite needs none: any write statement takes its one write
    lock, and both paths write (an UPDATE) before they check.
    """
    if db.session.get_bind().dialect.name == "postgresql":
        return sa.func.pg_advisory_xact_lock(sa.func.hashtext(phone_number))
    return sa.null()


def lock_number(phone_number: str) -> None:
    """Take `number_lock` (and on SQLite the write lock) in a statement of its own."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(sa.select(number_lock(phone_number)))
    else:
        db.session.execute(sa.update(CartItem).where(sa.false()).values(place=CartItem.place))


@dataclass(frozen=True)
class PurchaseCheck:
    """What a purchase checks under the team's lock, read in one round trip."""

    held: int  # the team's numbers toward its plan
    holder_team: str | None  # the team holding the number, if any
    holder_status: str | None  # and in which state
    carted_by: str | None  # the team whose cart holds it, if any
    trial_elsewhere: bool  # the team's founder has had their trial (in another team)


def purchase_check(
    team_id: str, phone_number: str, now: datetime, founder_id: str | None = None
) -> PurchaseCheck:
    """What a purchase checks under the team's lock, in one round trip; the founder's trial
    is asked about only when given (a Free team that may still start one)."""
    holder = sa.select(PhoneNumber.team_id).where(
        PhoneNumber.phone_number == phone_number, PhoneNumber.status.in_(HELD)
    )
    carted = sa.select(CartItem.team_id).where(
        CartItem.phone_number == phone_number, CartItem.expires_at > now
    )
    trial = had_trial(founder_id, now, team_id) if founder_id else sa.false()
    row = db.session.execute(
        sa.select(
            held_count_query(team_id, now).scalar_subquery(),
            holder.scalar_subquery(),
            holder.with_only_columns(PhoneNumber.status).scalar_subquery(),
            carted.scalar_subquery(),
            trial,
        )
    ).one()
    return PurchaseCheck(row[0], row[1], row[2], row[3], bool(row[4]))


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
    team_id: str,
    limit: int | None = None,
    after: tuple[datetime, str] | None = None,
    *,
    where: Sequence[sa.ColumnElement[bool]] = (),
    order: Sequence[sa.ColumnElement] | None = None,
) -> list[PhoneNumber]:
    """The team's numbers (released ones left out), newest first, with assistant and buyer.

    `after` is the (created_at, id) of the last row of the previous page: keyset paging
    costs the same on page 1 and page 500. `where` and `order` come from app.numbers.listing
    (a filtered or re-sorted list passes its own position inside `where`).
    """
    query = (
        sa.select(PhoneNumber)
        .outerjoin(PhoneNumber.assistant)
        .outerjoin(PhoneNumber.created_by)
        .options(contains_eager(PhoneNumber.assistant), contains_eager(PhoneNumber.created_by))
        .where(PhoneNumber.team_id == team_id, PhoneNumber.status != NumberStatus.RELEASED)
        .where(*where)
        .order_by(*(order or (PhoneNumber.created_at.desc(), PhoneNumber.id.desc())))
    )
    if after is not None:
        query = query.where(sa.tuple_(PhoneNumber.created_at, PhoneNumber.id) < after)
    if limit is not None:
        query = query.limit(limit)
    return list(db.session.scalars(query))


@dataclass(frozen=True)
class ListQuery:
    """Which of a team's numbers a list wants: a page after a keyset position, and filters.

    `where` takes further conditions on PhoneNumber (app.numbers.listing's filters and keyset
    position), and `order` that module's sort.
    """

    team_id: str
    limit: int | None = None
    after: tuple[datetime, str] | None = None
    where: tuple[sa.ColumnElement[bool], ...] = ()
    order: tuple[sa.ColumnElement, ...] = ()  # newest first unless given (app.numbers.listing)


def team_number_rows(query: ListQuery) -> list[sa.Row]:
    """The team's numbers as rows of LIST_COLUMNS, newest first: no entity is built per row,
    which is most of a large list's cost."""
    select = (
        sa.select(*LIST_COLUMNS)
        .outerjoin(Assistant, Assistant.id == PhoneNumber.assistant_id)
        .outerjoin(User, User.id == PhoneNumber.created_by_id)
        .where(
            PhoneNumber.team_id == query.team_id,
            PhoneNumber.status != NumberStatus.RELEASED,
            *query.where,
        )
        .order_by(*(query.order or (PhoneNumber.created_at.desc(), PhoneNumber.id.desc())))
    )
    if query.after is not None:
        select = select.where(sa.tuple_(PhoneNumber.created_at, PhoneNumber.id) < query.after)
    if query.limit is not None:
        select = select.limit(query.limit)
    return list(db.session.execute(select))


class ListState(NamedTuple):
    live: int  # counted toward the plan (a trial stops counting at its expiry)
    ordering: int  # orders still completing (listing settles those)
    releasing: int  # released by a person, the release not done yet (no longer counted)
    # The next moment the list reads differently by itself (a trial ends, a release falls
    # due), if any: a page kept in a cache lives no longer (app.dashboard.page_cache).
    changes_at: datetime | None


def list_state(team_id: str, now: datetime) -> ListState:
    """What a list shows that its team's version does not say, and its counts, in one small
    query."""
    live = sa.func.count().filter(PhoneNumber.live(now))
    ordering = sa.func.count().filter(
        PhoneNumber.status == NumberStatus.PENDING, PhoneNumber.provider_order_id.is_not(None)
    )
    releasing = sa.func.count().filter(PhoneNumber.release_after.is_not(None))
    trial_ends = sa.func.min(PhoneNumber.trial_expires_at).filter(
        PhoneNumber.is_trial.is_(True), PhoneNumber.trial_expires_at > now
    )
    release_due = sa.func.min(PhoneNumber.release_after).filter(PhoneNumber.release_after > now)
    row = db.session.execute(
        sa.select(live, ordering, releasing, trial_ends, release_due).where(
            PhoneNumber.team_id == team_id, PhoneNumber.status != NumberStatus.RELEASED
        )
    ).one()
    moments = [moment for moment in row[3:] if moment is not None]
    return ListState(row[0], row[1], row[2], min(moments) if moments else None)


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
