"""The cart: numbers a team holds while it decides, and what buying them all would cost.

A hold is a row in `cart_items` (one team per number: a unique index) and, where the
provider has them, a hold at the provider too (a Telnyx number reservation), both for the
provider's 30 minutes. While it lasts, no other team here is offered the number or can buy it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from app.accounts.roles import Actor, Permission
from app.accounts.teams import lock_team, lock_user
from app.exceptions import Conflict, NotFound, NumberUnavailable
from app.extensions import db
from app.models import HELD, CartItem, PhoneNumber, PurchaseRequest, Team, utcnow
from app.numbers.failures import provider_failure
from app.numbers.queries import lock_number
from app.numbers.searching import Offer, quote_for, requirements_for
from app.phone import number_type, region
from app.plans.catalog import Plan, get_plan
from app.plans.limits import numbers_that_fit, team_limit
from app.plans.rules import held_count, purchase_refusal
from app.providers import current_provider
from app.providers.base import (
    HOLD_LENGTH,
    ProviderError,
    ProviderHoldPending,
    ProviderNumberUnavailable,
    Requirement,
    SearchFilters,
)
from app.providers.places import place_of

MAX_CART = 20  # numbers one team may hold at once
# Live holds one person may have across all their teams: holds cost the platform a carrier
# reservation each, so a person with many teams cannot hold many carts' worth at once.
MAX_HOLDS_PER_PERSON = 20


@dataclass(frozen=True)
class CountryDocuments:
    country_code: str
    number_type: str
    requirements: list[Requirement]


@dataclass(frozen=True)
class Cart:
    """The team's live holds, and what buying them all would cost and leave on the plan."""

    items: list[CartItem]
    plan: Plan
    limit: int  # the team's limit: its plan's, or a custom one
    held: int  # numbers the team has now (toward the plan)
    refusal: str | None  # why the team may not buy at all now, if it may not
    documents: list[CountryDocuments] = field(default_factory=list)
    # Numbers held for a member's purchase request (app.guardrails), and the request's id: an
    # approver decides on them, so "Buy N numbers" and its totals leave them out.
    awaiting: dict[str, str] = field(default_factory=dict)

    @property
    def buyable(self) -> list[CartItem]:
        return [i for i in self.items if i.phone_number not in self.awaiting]

    @property
    def room(self) -> int:
        """How many more numbers the plan allows (a used trial allows none)."""
        return numbers_that_fit(self.limit, self.held, self.refusal)

    @property
    def fits(self) -> bool:
        return len(self.buyable) <= self.room

    @property
    def is_trial(self) -> bool:
        return self.plan.trial_length is not None

    @property
    def monthly_total(self) -> Decimal:
        return Decimal(0) if self.is_trial else _sum(i.monthly_price for i in self.buyable)

    @property
    def due_now(self) -> Decimal:
        """Setup fees and the first month: what buying the cart costs today (a trial: nothing)."""
        if self.is_trial:
            return Decimal(0)
        return _sum(i.setup_price for i in self.buyable) + self.monthly_total

    @property
    def unpriced(self) -> int:
        return sum(1 for i in self.buyable if i.monthly_price is None or i.setup_price is None)


def live_holds(numbers: Iterable[str] | None = None, now: datetime | None = None):
    """A condition for holds that have not expired (of these numbers, when given)."""
    condition = CartItem.expires_at > (now or utcnow())
    if numbers is not None:
        condition = sa.and_(condition, CartItem.phone_number.in_(list(numbers)))
    return condition


def cart_count(team_id: str, now: datetime | None = None) -> int:
    query = sa.select(sa.func.count()).where(CartItem.team_id == team_id, live_holds(now=now))
    return db.session.scalar(query) or 0


def team_cart(team: Team, now: datetime | None = None) -> Cart:
    now = now or utcnow()
    asked = (
        sa.select(PurchaseRequest.id)
        .where(
            PurchaseRequest.team_id == team.id,
            PurchaseRequest.phone_number == CartItem.phone_number,
            PurchaseRequest.open(now),
        )
        .scalar_subquery()
    )
    rows = db.session.execute(
        sa.select(CartItem, asked)
        .where(CartItem.team_id == team.id, live_holds(now=now))
        .order_by(CartItem.created_at, CartItem.id)
    ).all()
    items = [item for item, _asked in rows]
    awaiting = {item.phone_number: request for item, request in rows if request}
    held = held_count(team.id, now)
    kinds = sorted({(i.country_code, i.number_type) for i in items})
    documents = [
        CountryDocuments(country, kind, found)
        for country, kind in kinds
        if (found := requirements_for(SearchFilters(country, number_type=kind)))
    ]
    refusal = purchase_refusal(team, held, now=now)
    return Cart(items, get_plan(team.plan), team_limit(team), held, refusal, documents, awaiting)


def hold_number(actor: Actor, phone_number: str, price: Offer | None = None) -> CartItem:
    """Hold a canonical E.164 number for the actor's team and put it in the cart (at `price`,
    a price fixed before, if given; else at the latest search's)."""
    actor.require(Permission.BUY)
    team, now = actor.team, utcnow()
    _refuse_if_taken(team.id, phone_number, now)
    if cart_count(team.id, now) >= MAX_CART:
        raise Conflict(f"A cart holds at most {MAX_CART} numbers: buy or remove some first.")
    _refuse_past_person_cap(actor.user.id, now)
    quote = price or quote_for(phone_number)
    if quote is not None and not quote.reservable:
        # The provider said so in its search: asking it to hold the number only fails.
        raise NumberUnavailable(
            f"{phone_number} cannot be held at the provider: buy it now instead."
        )
    provider = current_provider()
    try:
        hold = provider.hold(phone_number, customer_reference=f"{team.id}:{phone_number}")
    except ProviderNumberUnavailable as error:
        raise NumberUnavailable(error.message) from error
    except ProviderHoldPending as error:
        raise Conflict(error.message) from error  # not held: the cart stays as it was
    except ProviderError as error:
        raise provider_failure(error, "Nothing was held.") from error
    # One short transaction: the lock, the checks again (a purchase or a hold may have
    # come first while the provider answered), then the row.
    lock_number(phone_number)
    _refuse_if_taken(team.id, phone_number, now)
    # The team's count again under its lock: members holding at once are counted in turn,
    # so the cart never passes its cap (the number's lock, then the team's, as every writer).
    lock_team(team.id)
    if cart_count(team.id, now) >= MAX_CART:
        db.session.rollback()
        raise Conflict(f"A cart holds at most {MAX_CART} numbers: buy or remove some first.")
    lock_user(actor.user.id)  # the person's count again, one hold at a time
    _refuse_past_person_cap(actor.user.id, now)
    # An expired hold on the number (ours or another team's) makes way, and the team's own
    # expired holds go: nothing else reads them.
    db.session.execute(
        sa.delete(CartItem).where(
            sa.or_(CartItem.phone_number == phone_number, CartItem.team_id == team.id),
            CartItem.expires_at <= now,
        )
    )
    item = CartItem(
        team_id=team.id,
        phone_number=phone_number,
        provider=provider.name,
        provider_hold_id=hold.id,
        country_code=region(phone_number) or "US",
        number_type=number_type(phone_number),
        place=(quote.place if quote and quote.place else place_of(phone_number))[:120],
        features=list(quote.features) if quote else [],
        monthly_price=Decimal(quote.monthly_price) if quote else None,
        setup_price=Decimal(quote.setup_price) if quote else None,
        held_by_id=actor.user.id,
        created_at=now,
        expires_at=min(hold.expires_at, now + HOLD_LENGTH),
    )
    db.session.add(item)
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()  # another team held it a moment ago (the unique number)
        _refuse_if_taken(team.id, phone_number, utcnow())
        raise NumberUnavailable(f"{phone_number} was just held by another team.") from None
    return item


def drop_hold(actor: Actor, item_id: str) -> CartItem:
    """Take a number out of the cart (the provider's hold lapses on its own)."""
    actor.require(Permission.BUY)
    item = db.session.scalar(
        sa.select(CartItem).where(CartItem.id == item_id, CartItem.team_id == actor.team.id)
    )
    if item is None:
        raise NotFound("That number is not in this team's cart.")
    if _awaiting_approval(item, utcnow()) is not None:
        raise Conflict(
            f"{item.phone_number} is held for a purchase request: it stays held until an owner "
            "or admin decides, or the hold ends."
        )
    db.session.delete(item)
    db.session.commit()
    return item


def extend_hold(actor: Actor, item_id: str) -> CartItem:
    """Hold a number in the cart for the provider's full time again, from now."""
    actor.require(Permission.BUY)
    now = utcnow()
    item = db.session.scalar(
        sa.select(CartItem).where(
            CartItem.id == item_id, CartItem.team_id == actor.team.id, live_holds(now=now)
        )
    )
    if item is None:
        raise NotFound("That number is not held in this team's cart (its hold may have ended).")
    number, hold_id = item.phone_number, item.provider_hold_id
    db.session.rollback()  # no transaction open across the provider call
    try:
        hold = current_provider().extend_hold(hold_id, number)
    except ProviderNumberUnavailable as error:
        raise NumberUnavailable(error.message) from error
    except ProviderHoldPending as error:
        raise Conflict(error.message) from error  # the hold keeps the time it had
    except ProviderError as error:
        raise provider_failure(error, "The hold was not extended.") from error
    item = db.session.get(CartItem, item_id)
    if item is None:
        raise NotFound("That number left the cart meanwhile.")
    now = utcnow()
    if (request := _awaiting_approval(item, now)) is not None:
        request.hold_expires_at = min(hold.expires_at, now + HOLD_LENGTH)  # it waits longer
    item.expires_at = min(hold.expires_at, now + HOLD_LENGTH)
    item.provider_hold_id = hold.id or item.provider_hold_id
    db.session.commit()
    return item


def _awaiting_approval(item: CartItem, now: datetime) -> PurchaseRequest | None:
    """The open purchase request this hold is kept for, if any."""
    return db.session.scalar(
        sa.select(PurchaseRequest).where(
            PurchaseRequest.team_id == item.team_id,
            PurchaseRequest.phone_number == item.phone_number,
            PurchaseRequest.open(now),
        )
    )


def clear_holds(team_id: str, numbers: Iterable[str]) -> None:
    """Empty the cart of these numbers (bought, or gone for good)."""
    db.session.execute(
        sa.delete(CartItem).where(
            CartItem.team_id == team_id, CartItem.phone_number.in_(list(numbers))
        )
    )
    db.session.commit()


def held_elsewhere(team_id: str, phone_number: str, now: datetime | None = None) -> bool:
    """Whether another team's live hold keeps this number from the team."""
    return (
        db.session.scalar(
            sa.select(CartItem.id).where(
                CartItem.phone_number == phone_number,
                CartItem.team_id != team_id,
                live_holds(now=now),
            )
        )
        is not None
    )


def person_holds(user_id: str, now: datetime | None = None) -> int:
    """The person's live holds, in every team they belong to."""
    query = sa.select(sa.func.count()).where(CartItem.held_by_id == user_id, live_holds(now=now))
    return db.session.scalar(query) or 0


def _refuse_past_person_cap(user_id: str, now: datetime) -> None:
    """Conflict (its transaction rolled back) when the person holds all one person may."""
    held = person_holds(user_id, now)
    if held >= MAX_HOLDS_PER_PERSON:
        db.session.rollback()
        raise Conflict(
            f"You hold {held} numbers across your teams, the most one person may hold at once: "
            "buy some, or remove some from a cart, first."
        )


def _refuse_if_taken(team_id: str, phone_number: str, now: datetime) -> None:
    """NumberUnavailable (its transaction rolled back) if a team here has or holds the number."""
    try:
        _check_taken(team_id, phone_number, now)
    except NumberUnavailable:
        db.session.rollback()
        raise


def _check_taken(team_id: str, phone_number: str, now: datetime) -> None:
    holder = db.session.execute(
        sa.select(CartItem.team_id).where(
            CartItem.phone_number == phone_number, live_holds(now=now)
        )
    ).first()
    if holder is not None:
        if holder[0] == team_id:
            raise NumberUnavailable(f"{phone_number} is already in your cart.")
        raise NumberUnavailable(f"{phone_number} is held by another team on this platform.")
    owner = db.session.scalar(
        sa.select(PhoneNumber.team_id).where(
            PhoneNumber.phone_number == phone_number, PhoneNumber.status.in_(HELD)
        )
    )
    if owner is not None:
        whose = "your team" if owner == team_id else "another team on this platform"
        raise NumberUnavailable(f"{phone_number} is already held by {whose}.")


def _sum(amounts: Iterable[Decimal | None]) -> Decimal:
    return sum((a for a in amounts if a is not None), Decimal(0))
