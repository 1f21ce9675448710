"""Managing a team's numbers: listing them, labelling them, releasing them."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

import sqlalchemy as sa

from app import audit
from app.accounts.roles import Actor, Permission
from app.exceptions import NumberUnavailable, ValidationFailed
from app.extensions import db
from app.models import ORDERING, NumberStatus, PhoneNumber, Team, utcnow
from app.numbers import listing
from app.numbers.cursor import decode_cursor, encode_cursor
from app.numbers.failures import provider_failure
from app.numbers.listing import NumberFilters, filter_clauses
from app.numbers.queries import team_number, team_numbers
from app.numbers.settling import finish_release, settle_from_provider, start_release
from app.providers.base import ProviderError
from app.text import one_line

MAX_LABEL = 80
# Pending orders settled while listing, at most, so a list never waits on many provider calls.
SETTLE_ON_LIST = 5
EVERY_NUMBER = NumberFilters()
UNCONFIRMED_RELEASE = (
    "It shows as releasing until the provider confirms; releasing it again is safe."
)


@dataclass(frozen=True)
class NumberPage:
    numbers: list[PhoneNumber]
    next_cursor: str | None


def list_numbers_page(
    team: Team,
    limit: int | None = None,
    cursor: str | None = None,
    filters: NumberFilters = EVERY_NUMBER,
) -> NumberPage:
    """One page of the team's numbers (all of them without a limit), and the next page's cursor."""
    where = filter_clauses(team.id, filters, utcnow())
    if cursor:
        sort, value, number_id = decode_cursor(cursor)
        filters = replace(filters, sort=sort)  # the cursor's order goes on, whatever was asked
        where.append(listing.after(sort, (value, number_id)))
    numbers = team_numbers(
        team.id, limit + 1 if limit else None, where=where, order=listing.order_by(filters.sort)
    )
    more = limit is not None and len(numbers) > limit
    numbers = numbers[:limit] if more else numbers
    next_cursor = None
    if more:
        last = numbers[-1]
        next_cursor = encode_cursor(filters.sort, listing.sort_value(filters.sort, last), last.id)
    pending = [n for n in numbers if n.status == NumberStatus.PENDING and n.provider_order_id]
    gone = {n.id for n in pending[:SETTLE_ON_LIST] if settle_from_provider(n) == "gone"}
    return NumberPage([n for n in numbers if n.id not in gone], next_cursor)


def count_numbers(team_id: str, filters: NumberFilters, now: datetime) -> int:
    """How many of the team's numbers these filters keep (released ones never)."""
    return db.session.scalar(
        sa.select(sa.func.count())
        .select_from(PhoneNumber)
        .where(PhoneNumber.team_id == team_id, PhoneNumber.status != NumberStatus.RELEASED)
        .where(*filter_clauses(team_id, filters, now))
    )


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
    label = one_line(label, "label")
    if len(label) > MAX_LABEL:
        raise ValidationFailed({"label": f"Label must be at most {MAX_LABEL} characters."})
    return label or None


def release_number(actor: Actor, number_id: str) -> PhoneNumber:
    """Give the number back to the provider; safe to retry, and a provider failure keeps it."""
    actor.require(Permission.RELEASE)
    number = team_number(actor.team.id, number_id, released=True)
    if number.status in (NumberStatus.RELEASED, NumberStatus.EXPIRED):
        return number  # done before (by a person or the expiry job): a retry succeeds
    if number.status in ORDERING and settle_from_provider(number) != NumberStatus.ACTIVE:
        raise NumberUnavailable(
            f"{number.phone_number} is still being ordered; release it once the order completes."
        )
    if number.status == NumberStatus.ACTIVE:
        start_release(number, "release")
    try:
        finish_release(number, actor.user.id)
    except ProviderError as error:
        raise provider_failure(error, UNCONFIRMED_RELEASE) from error
    return number
