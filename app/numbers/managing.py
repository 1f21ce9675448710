"""Managing a team's numbers: listing and labelling them (releasing is app.numbers.releasing)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from app import audit
from app.accounts.roles import Actor, Permission
from app.exceptions import ValidationFailed
from app.extensions import db
from app.models import NumberStatus, PhoneNumber, Team, utcnow
from app.numbers import listing
from app.numbers.cursor import decode_cursor, encode_cursor
from app.numbers.listed import ListedNumber
from app.numbers.listing import NumberFilters, filter_clauses
from app.numbers.queries import ListQuery, team_number_rows
from app.numbers.settling import settle_from_provider
from app.text import one_line

MAX_LABEL = 80
# Pending orders settled while listing, at most, so a list never waits on many provider calls.
SETTLE_ON_LIST = 5
EVERY_NUMBER = NumberFilters()


@dataclass(frozen=True)
class PagePlace:
    """Where a page of the list sits: "51–100 of 319", and the way back one page."""

    first: int  # the page's first row, counted from 1
    total: int  # every number the filters keep
    previous_cursor: str | None  # None: the page before is the first page (or there is none)


def page_place(team_id: str, cursor: str | None, filters: NumberFilters, limit: int) -> PagePlace:
    """Counted, not remembered: a cursor stays a plain keyset position (the API's too), and
    the page before it is found by reading the list backwards from there."""
    now = utcnow()
    total = count_numbers(team_id, filters, now)
    if not cursor:
        return PagePlace(1, total, None)
    sort, value, number_id = decode_cursor(cursor)
    earlier = [
        PhoneNumber.team_id == team_id,
        PhoneNumber.status != NumberStatus.RELEASED,
        *filter_clauses(team_id, filters, now),
        listing.up_to(sort, (value, number_id)),
    ]
    before = db.session.scalar(sa.select(sa.func.count()).select_from(PhoneNumber).where(*earlier))
    # Backwards from the cursor, the row `limit` places back ends the page before the previous.
    boundary = db.session.scalars(
        sa.select(PhoneNumber)
        .where(*earlier)
        .order_by(*listing.reversed_order(sort))
        .offset(limit)
        .limit(1)
    ).first()
    previous = _cursor_after(sort, boundary) if boundary is not None else None
    return PagePlace(before + 1, total, previous)


def _position(team_id: str, cursor: str | None, filters: NumberFilters) -> tuple[str, list]:
    """The sort to list in and the `where` clauses: the filters, and past the cursor if any.
    A cursor's own sort wins: the next page goes on in the first page's order."""
    where = filter_clauses(team_id, filters, utcnow())
    sort = filters.sort
    if cursor:
        sort, value, number_id = decode_cursor(cursor)
        where.append(listing.after(sort, (value, number_id)))
    return sort, where


def _cursor_after(sort: str, last) -> str:
    """The cursor after this number (an entity, or a row with the sort's column and id)."""
    return encode_cursor(sort, listing.sort_value(sort, last), last.id)


def count_numbers(team_id: str, filters: NumberFilters, now: datetime) -> int:
    """How many of the team's numbers these filters keep (released ones never)."""
    return db.session.scalar(
        sa.select(sa.func.count())
        .select_from(PhoneNumber)
        .where(PhoneNumber.team_id == team_id, PhoneNumber.status != NumberStatus.RELEASED)
        .where(*filter_clauses(team_id, filters, now))
    )


@dataclass(frozen=True)
class RowPage:
    """A page of the list as plain rows (app.numbers.listed.LIST_COLUMNS): the one read behind
    the API's list, the Numbers page and the CSV export."""

    rows: list[sa.Row]
    next_cursor: str | None
    # Whether a number on it is still being ordered: listing settles those, so such a page
    # is news each time, never an answer to keep (app.api.listing).
    settling: bool

    @property
    def numbers(self) -> list[ListedNumber]:
        """The rows as the page and the CSV read them (like entities, built once each)."""
        return [ListedNumber.of_row(row) for row in self.rows]


def list_number_rows(
    team: Team,
    limit: int | None = None,
    cursor: str | None = None,
    filters: NumberFilters = EVERY_NUMBER,
) -> RowPage:
    """One page of the team's numbers (all of them without a limit) and the next page's
    cursor: rows, never entities (a large list's cost was building them). A few orders still
    completing on the page are settled first."""
    sort, where = _position(team.id, cursor, filters)
    query = ListQuery(
        team.id, limit + 1 if limit else None, None, tuple(where), tuple(listing.order_by(sort))
    )
    rows = team_number_rows(query)
    pending = [r.id for r in rows if r.status == NumberStatus.PENDING and r.provider_order_id]
    if pending:
        # Rare (an order still completing): settle a few through the entities, read again.
        # The read so far may have run without a transaction (app.api.auth.reads_alone):
        # ending it here gives each settlement its own transaction, as everywhere.
        db.session.commit()
        numbers = db.session.scalars(
            sa.select(PhoneNumber).where(PhoneNumber.id.in_(pending[:SETTLE_ON_LIST]))
        )
        for number in numbers:
            settle_from_provider(number)
        rows = team_number_rows(query)
    more = limit is not None and len(rows) > limit
    rows = rows[:limit] if more else rows
    next_cursor = _cursor_after(sort, rows[-1]) if more else None
    return RowPage(rows, next_cursor, bool(pending))


def set_label(actor: Actor, number: PhoneNumber, label: object) -> PhoneNumber:
    actor.require(Permission.LABEL)
    new_label = clean_label(label)
    if new_label != number.label:
        audit.record(
            number.team_id,
            actor.user.id,
            audit.Action.LABEL,
            subject_id=number.id,
            subject=number.phone_number,
            before={"label": number.label},
            after={"label": new_label},
        )
        db.session.execute(
            sa.update(PhoneNumber).where(PhoneNumber.id == number.id).values(label=new_label)
        )
        db.session.commit()
        number.label = new_label
    return number


def clean_label(label: object) -> str | None:
    if label is None:
        return None
    if not isinstance(label, str):
        raise ValidationFailed({"label": "Label must be a string."})
    cleaned = one_line(label, "label")
    # The limit holds for the text as sent too (the OpenAPI document's maxLength says so).
    if max(len(label), len(cleaned)) > MAX_LABEL:
        raise ValidationFailed({"label": f"Label must be at most {MAX_LABEL} characters."})
    return cleaned or None
