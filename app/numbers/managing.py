"""Managing a team's numbers: listing them, labelling them, releasing them."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from app import audit
from app.accounts.roles import Actor, Permission
from app.accounts.teams import bump_version
from app.exceptions import NumberUnavailable, ValidationFailed
from app.extensions import db
from app.models import ORDERING, NumberStatus, PhoneNumber, Team
from app.numbers.cursor import decode_cursor, encode_cursor
from app.numbers.failures import provider_failure
from app.numbers.queries import ListQuery, team_number, team_number_rows, team_numbers
from app.numbers.settling import finish_release, settle_from_provider, start_release
from app.providers.base import ProviderError
from app.text import one_line

MAX_LABEL = 80
# Pending orders settled while listing, at most, so a list never waits on many provider calls.
SETTLE_ON_LIST = 5
UNCONFIRMED_RELEASE = (
    "It shows as releasing until the provider confirms; releasing it again is safe."
)


@dataclass(frozen=True)
class NumberPage:
    numbers: list[PhoneNumber]
    next_cursor: str | None


def list_numbers_page(
    team: Team, limit: int | None = None, cursor: str | None = None
) -> NumberPage:
    """One page of the team's numbers (all of them without a limit), and the next page's cursor."""
    after = decode_cursor(cursor) if cursor else None
    numbers = team_numbers(team.id, limit + 1 if limit else None, after)
    more = limit is not None and len(numbers) > limit
    numbers = numbers[:limit] if more else numbers
    next_cursor = encode_cursor(numbers[-1]) if more else None
    pending = [n for n in numbers if n.status == NumberStatus.PENDING and n.provider_order_id]
    gone = {n.id for n in pending[:SETTLE_ON_LIST] if settle_from_provider(n) == "gone"}
    return NumberPage([n for n in numbers if n.id not in gone], next_cursor)


@dataclass(frozen=True)
class RowPage:
    """A page of the list as plain rows (app.numbers.queries.LIST_COLUMNS)."""

    rows: list[sa.Row]
    next_cursor: str | None
    # Whether a number on it is still being ordered: listing settles those, so such a page
    # is news each time, never an answer to keep (app.api.listing).
    settling: bool


def list_number_rows(
    team: Team, limit: int | None = None, cursor: str | None = None, where=()
) -> RowPage:
    """list_numbers_page's answer as rows: what the API list serialises without entities."""
    query = ListQuery(
        team.id,
        limit + 1 if limit else None,
        decode_cursor(cursor) if cursor else None,
        tuple(where),
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
    next_cursor = encode_cursor(rows[-1]) if more else None
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
        bump_version(number.team_id)
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
