"""Purchasing: reserve the number under the plan's rules, order it, settle what the provider says.

The team row is locked only while checking the plan and inserting the reservation, never
across the provider call. From the moment the order may exist at the provider, the row is
kept until the provider says how the order ended (app.numbers.settling).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.exc import IntegrityError

from app.accounts.roles import Actor, Permission
from app.accounts.teams import bump_version
from app.exceptions import NumberUnavailable, PlanLimitReached
from app.extensions import db
from app.models import ORDERING, CartItem, NumberStatus, PhoneNumber, Team, utcnow
from app.numbers.failures import provider_failure
from app.numbers.queries import number_lock, purchase_check
from app.numbers.searching import quote_for
from app.numbers.settling import settle
from app.phone import number_type, region
from app.plans.catalog import get_plan
from app.plans.rules import eligibility, held_count, purchase_refusal
from app.providers import current_provider
from app.providers.base import ProviderError

UNCONFIRMED = (
    "The number is held for your team as pending while we confirm the order with the provider; "
    "do not buy it again."
)


@dataclass(frozen=True)
class Purchase:
    number: PhoneNumber
    eligibility: dict[str, Any]


def purchase_number(actor: Actor, phone_number: str, connection_id: str | None = None) -> Purchase:
    """Buy a canonical E.164 number for the actor's team, within its plan."""
    actor.require(Permission.BUY)
    provider = current_provider()
    connection_id = connection_id or current_app.config.get("TELNYX_CONNECTION_ID")
    number = _reserve(actor, phone_number, connection_id, provider.name)
    reference = number.customer_reference
    # Touch nothing of `number` until the provider answers: reloading it would open a
    # transaction and pin a database connection for the whole order.
    try:
        result = provider.order(
            phone_number, connection_id=connection_id, customer_reference=reference
        )
    except ProviderError as error:
        if not error.outcome_unknown:
            _discard(number)  # nothing was placed: nothing is held
        raise provider_failure(error, UNCONFIRMED) from error
    if settle(number, result, record_purchase=True) == "gone":
        raise NumberUnavailable(
            f"The provider did not sell {phone_number}"
            + (f": {result.detail}." if result.detail else ".")
        )
    return Purchase(number, eligibility(actor.team, held_count(actor.team.id)))


def _reserve(
    actor: Actor, phone_number: str, connection_id: str | None, provider: str
) -> PhoneNumber:
    """Check the plan and hold the number, in one short transaction under the team's lock."""
    team, now = actor.team, utcnow()
    quote = quote_for(phone_number)  # before the lock: it may ask the provider
    _lock_team(team, phone_number)
    held, holder_team, holder_status, carted_by = purchase_check(team.id, phone_number, now)
    if holder_team is not None:
        db.session.rollback()
        raise NumberUnavailable(_held_message(phone_number, team, holder_team, holder_status))
    if carted_by is not None and carted_by != team.id:
        db.session.rollback()
        raise NumberUnavailable(
            f"{phone_number} is held by another team on this platform while they decide."
        )
    if refusal := purchase_refusal(team, held):
        limits = eligibility(team, held)
        db.session.rollback()
        raise PlanLimitReached(refusal, limits)

    plan = get_plan(team.plan)
    number = PhoneNumber(
        team_id=team.id,
        phone_number=phone_number,
        provider=provider,
        customer_reference=f"pnr_{uuid.uuid4().hex}",
        number_type=number_type(phone_number),
        country_code=region(phone_number),
        status=NumberStatus.RESERVING,
        is_trial=plan.trial_length is not None,
        trial_expires_at=now + plan.trial_length if plan.trial_length else None,
        monthly_price=quote.monthly_price if quote else None,
        setup_price=quote.setup_price if quote else None,
        features=list(quote.features) if quote else [],
        connection_id=connection_id,
        created_by_id=actor.user.id,
        created_at=now,
    )
    db.session.add(number)
    if carted_by == team.id:  # the team's own hold on the number becomes the number itself
        db.session.execute(
            sa.delete(CartItem).where(
                CartItem.team_id == team.id, CartItem.phone_number == phone_number
            )
        )
    try:
        db.session.commit()
    except IntegrityError:
        # Another team reserved the same number a moment ago (the partial unique index).
        db.session.rollback()
        raise NumberUnavailable(f"{phone_number} was just taken on this platform.") from None
    return number


def _held_message(phone_number: str, team: Team, holder_team: str, status: str) -> str:
    if holder_team != team.id:
        return f"{phone_number} is already held by another team on this platform."
    if status in ORDERING:
        return f"{phone_number} is already being ordered for your team: it shows as pending."
    if status == NumberStatus.RELEASING:
        return f"{phone_number} is being released from your team: undo the release to keep it."
    return f"{phone_number} is already held by your team."


def _lock_team(team: Team, phone_number: str) -> None:
    """Lock the team's row and read it afresh (its plan and trial), in one statement.

    An UPDATE takes the row lock on PostgreSQL and the write lock on SQLite, so one
    statement serialises concurrent purchases for a team on both. It moves the team's
    version too: the reservation it commits with is a new number in the list. It locks
    the number as well, against another team's hold of it (app.numbers.cart), so the
    checks that follow see any hold committed first.
    """
    db.session.execute(
        sa.update(Team)
        .where(Team.id == team.id)
        .values(purchase_seq=Team.purchase_seq + 1, version=Team.version + 1)
        .returning(Team, number_lock(phone_number))
        .execution_options(populate_existing=True, synchronize_session=False)
    ).scalars().all()


def _discard(number: PhoneNumber) -> None:
    """Drop a reservation whose order was never placed, so nothing is held that was not bought."""
    db.session.rollback()
    deleted = db.session.execute(
        sa.delete(PhoneNumber).where(
            PhoneNumber.id == number.id, PhoneNumber.status == NumberStatus.RESERVING
        )
    )
    if deleted.rowcount == 1:
        bump_version(number.team_id)
    db.session.commit()
