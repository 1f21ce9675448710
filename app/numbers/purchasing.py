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
from sqlalchemy.orm.attributes import set_committed_value

from app.accounts.roles import Actor, Permission
from app.accounts.team_version import moved_inline
from app.exceptions import NumberUnavailable, PlanLimitReached, SpendCapReached
from app.extensions import db
from app.guardrails.answered import answer_requests
from app.guardrails.rules import (
    ApprovalRequired,
    Limits,
    check_purchase,
    purchase_cost,
    spent_this_month,
)
from app.models import ORDERING, CartItem, NumberStatus, PhoneNumber, Team, utcnow
from app.numbers.failures import provider_failure
from app.numbers.queries import number_lock, purchase_check
from app.numbers.searching import Offer, quote_for
from app.numbers.settling import settle
from app.phone import number_type, region
from app.plans.catalog import get_plan
from app.plans.rules import eligibility, purchase_refusal
from app.plans.trial_rights import founder_lock
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
    takeover: Any = None  # app.numbers.replacing.Takeover: what it took over, if it replaced


@dataclass(frozen=True)
class OnBehalf:
    """An approver buying what a member asked for: the member is the buyer on record, and the
    price is the one the member was quoted (and the approver saw)."""

    buyer_id: str | None
    quote: Offer | None


def purchase_number(
    actor: Actor,
    phone_number: str,
    connection_id: str | None = None,
    on_behalf: OnBehalf | None = None,
    price: Offer | None = None,
) -> Purchase:
    """Buy a canonical E.164 number for the actor's team, within its plan and guardrails.

    `price` is a price fixed before (a server quote, app.numbers.quotes): stored and checked
    against the guardrails as it is, instead of the latest search's.
    Raises ApprovalRequired when the team's approvals make this a request instead
    (app.guardrails.requests.buy_or_ask turns it into one).
    """
    actor.require(Permission.BUY)
    provider = current_provider()
    connection_id = connection_id or current_app.config.get("TELNYX_CONNECTION_ID")
    # Before the lock: asking the provider for a price may take a while.
    quote = on_behalf.quote if on_behalf else (price or quote_for(phone_number))
    buyer_id = (on_behalf.buyer_id if on_behalf else None) or actor.user.id
    number, held, was_held = _reserve(
        actor, phone_number, connection_id, provider.name, quote, buyer_id
    )
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
    if was_held and on_behalf is None:
        # The team's own hold: perhaps a member's request for it, which this purchase answers.
        answer_requests(actor, number)
    if number.is_trial and number.activated_at and actor.team.trial_used_at is None:
        # settle spent the team's trial in the database; say so to the team in hand too (the
        # page that answers this purchase reads it), without reading the row again.
        set_committed_value(actor.team, "trial_used_at", number.activated_at)
    # Counted under the lock, with this number: the contract's count after the purchase.
    limits = eligibility(actor.team, held + 1)
    takeover = None
    if was_held:
        from app.numbers.takeover import complete_replacement  # it imports this module's users

        # Replace holds its number in the cart: bought, it takes the old number's place now,
        # in this one confirmation (a hold that lapsed first: the sweep finishes it).
        takeover = complete_replacement(number, actor)
    return Purchase(number, limits, takeover)


def _reserve(
    actor: Actor,
    phone_number: str,
    connection_id: str | None,
    provider: str,
    quote: Offer | None,
    buyer_id: str,
) -> tuple[PhoneNumber, int, bool]:
    """Check the plan and the guardrails and hold the number, in one short transaction under
    the team's lock; returns it, how many numbers the team held before it, and whether the
    team's own hold (its cart) had the number."""
    team, now = actor.team, utcnow()
    _lock_team(team, phone_number)
    plan = get_plan(team.plan)
    # A Free team that may still start a trial asks about its founder's (locked above).
    founder = team.founder_id if plan.trial_length and team.trial_used_at is None else None
    check = purchase_check(team.id, phone_number, now, founder)
    if check.holder_team is not None:
        db.session.rollback()
        raise NumberUnavailable(
            _held_message(phone_number, team, check.holder_team, check.holder_status)
        )
    if check.carted_by is not None and check.carted_by != team.id:
        db.session.rollback()
        raise NumberUnavailable(
            f"{phone_number} is held by another team on this platform while they decide."
        )
    held = check.held
    if refusal := purchase_refusal(team, held, trial_elsewhere=check.trial_elsewhere, now=now):
        limits = eligibility(team, held)
        db.session.rollback()
        raise PlanLimitReached(refusal, limits)

    if Limits.of(team).on:  # one more read, for a team that set guardrails
        spent, _unpriced = spent_this_month(team.id, now)
        prices = (quote.monthly_price, quote.setup_price) if quote else (None, None)
        cost = purchase_cost(*prices, trial=plan.trial_length is not None)
        try:
            check_purchase(actor, team, phone_number, spent, cost)
        except (SpendCapReached, ApprovalRequired):
            db.session.rollback()
            raise
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
        created_by_id=buyer_id,
        created_at=now,
    )
    db.session.add(number)
    if check.carted_by == team.id:  # the team's own hold on the number becomes the number itself
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
    return number, held, check.carted_by == team.id


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
    statement serialises concurrent purchases for a team on both, and moves the team's version
    (the reservation it commits with is a new number in the list). It locks
    the number as well, against another team's hold of it (app.numbers.cart), so the
    checks that follow see any hold committed first; and, for a team that may start a trial,
    its founder, against a trial starting in another of their teams (app.plans.trial_rights).
    """
    db.session.execute(
        sa.update(Team)
        .where(Team.id == team.id)
        .values(purchase_seq=Team.purchase_seq + 1, **moved_inline(team.id))
        .returning(Team, number_lock(phone_number), founder_lock())
        .execution_options(populate_existing=True, synchronize_session=False)
    ).scalars().all()


def _discard(number: PhoneNumber) -> None:
    """Drop a reservation whose order was never placed, so nothing is held that was not bought."""
    db.session.rollback()
    db.session.execute(
        sa.delete(PhoneNumber).where(
            PhoneNumber.id == number.id, PhoneNumber.status == NumberStatus.RESERVING
        )
    )
    db.session.commit()
