"""Buying several numbers in one action: all of them must fit the plan, each gets an outcome.

Each number is bought by the one purchase path (app.numbers.purchasing: the team lock, the
plan check, the provider order), so a bulk order follows every rule a single Buy does. The
order record keeps each number's outcome, so a partly successful order says exactly which
numbers were bought, which are still being completed and which were not.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from app.accounts.roles import Actor, Permission
from app.exceptions import (
    NotFound,
    NumberUnavailable,
    PlanLimitReached,
    ProviderFailed,
    SpendCapReached,
)
from app.extensions import db
from app.guardrails.requests import buy_or_ask
from app.guardrails.rules import Limits, cap_message, purchase_cost, spending_json, spent_this_month
from app.ids import is_id
from app.models import NumberOrder, NumberStatus, PurchaseRequest, utcnow
from app.numbers.cart import clear_holds
from app.numbers.searching import quote_for
from app.plans.catalog import get_plan
from app.plans.limits import more_numbers, numbers_that_fit, team_limit
from app.plans.rules import eligibility, held_count, purchase_refusal
from app.timefmt import readable

MAX_ORDER = 20
BOUGHT, PENDING, UNAVAILABLE, FAILED = "bought", "pending", "unavailable", "failed"
REQUESTED = "requested"  # sent for an owner's or admin's approval (app.guardrails)


def room_left(team) -> tuple[int, int, str | None]:
    """(numbers held, how many more the plan allows, why none at all if so)."""
    held = held_count(team.id)
    refusal = purchase_refusal(team, held)
    room = numbers_that_fit(team_limit(team), held, refusal)
    return held, room, refusal


def fit_message(team, wanted: int, room: int, refusal: str | None) -> str:
    """Why these numbers cannot all be bought, and how many could be."""
    if refusal and room == 0:
        return refusal
    limit = (
        "its custom limit allows"
        if team.custom_limit is not None
        else f"the {get_plan(team.plan).name} plan allows"
    )
    way = more_numbers(team)
    return (
        f"{wanted} numbers do not fit: {limit} {room} more number{'' if room == 1 else 's'} "
        "for this team. "
        f"Remove {wanted - room} from the order" + (f", or {way}." if way else ".")
    )


def buy_numbers(
    actor: Actor, phone_numbers: list[str], connection_id: str | None = None
) -> NumberOrder:
    """Buy every number (canonical E.164, no repeats) for the actor's team, or none if they
    do not all fit the plan; record what became of each."""
    actor.require(Permission.BUY)
    team = actor.team
    held, room, refusal = room_left(team)
    if len(phone_numbers) > room:
        raise PlanLimitReached(
            fit_message(team, len(phone_numbers), room, refusal), eligibility(team, held)
        )
    _check_cap(actor, phone_numbers)
    results = [_buy_one(actor, number, connection_id) for number in phone_numbers]
    # Bought, on its way, or gone: no longer to decide on (a requested one stays held).
    settled = [r["phoneNumber"] for r in results if r["status"] not in (FAILED, REQUESTED)]
    if settled:
        clear_holds(team.id, settled)
    order = NumberOrder(
        team_id=team.id, created_by_id=actor.user.id, results=results, created_at=utcnow()
    )
    db.session.add(order)
    db.session.commit()
    return order


def team_order(team_id: str, order_id: object) -> NumberOrder:
    order = None
    if is_id("ord", order_id):
        order = db.session.scalar(
            sa.select(NumberOrder).where(NumberOrder.id == order_id, NumberOrder.team_id == team_id)
        )
    if order is None:
        raise NotFound("Order not found.")
    return order


def order_status(results: list[dict[str, Any]]) -> str:
    """complete (all bought), pending (all bought or on the way), requested (the rest sent
    for approval), partial (some not bought), or failed."""
    statuses = {r["status"] for r in results}
    if statuses <= {BOUGHT}:
        return "complete"
    if statuses <= {BOUGHT, PENDING}:
        return "pending"
    if statuses <= {BOUGHT, PENDING, REQUESTED}:
        return REQUESTED
    return "partial" if statuses & {BOUGHT, PENDING, REQUESTED} else "failed"


def summary(results: list[dict[str, Any]]) -> str:
    """ "2 of 3 bought, 1 unavailable": every number accounted for, in words."""
    counts = {s: sum(1 for r in results if r["status"] == s) for s in (BOUGHT, PENDING, REQUESTED)}
    words = [f"{counts[BOUGHT]} of {len(results)} bought"]
    if counts[PENDING]:
        words.append(f"{counts[PENDING]} still being completed by the provider")
    if counts[REQUESTED]:
        words.append(f"{counts[REQUESTED]} sent for approval")
    for status in (UNAVAILABLE, FAILED):
        if n := sum(1 for r in results if r["status"] == status):
            words.append(f"{n} {'not available' if status == UNAVAILABLE else 'failed'}")
    return ", ".join(words)


def _check_cap(actor: Actor, phone_numbers: list[str]) -> None:
    """The whole order must fit the team's spend cap, or nothing is bought (each purchase
    checks again under the team's lock: a single Buy may spend the rest meanwhile)."""
    team = actor.team
    limits = Limits.of(team)
    if limits.cap is None or get_plan(team.plan).trial_length is not None:
        return
    spent, _unpriced = spent_this_month(team.id, utcnow())
    total = Decimal(0)
    for phone_number in phone_numbers:
        quote = quote_for(phone_number)
        prices = (quote.monthly_price, quote.setup_price) if quote else (None, None)
        cost = purchase_cost(*prices, trial=False)
        if cost is None:
            message = cap_message(actor, phone_number, spent, None)
            raise SpendCapReached(message, spending_json(limits.cap, spent, None))
        total += cost
    if limits.over_cap(spent, total):
        message = cap_message(actor, "", spent, total, f"These {len(phone_numbers)} numbers")
        raise SpendCapReached(message, spending_json(limits.cap, spent, total))


def _buy_one(actor: Actor, phone_number: str, connection_id: str | None) -> dict[str, Any]:
    outcome: dict[str, Any] = {"phoneNumber": phone_number, "phoneNumberId": None}
    try:
        bought = buy_or_ask(actor, phone_number, connection_id)
    except NumberUnavailable as error:
        return {**outcome, "status": UNAVAILABLE, "message": error.message}
    except (PlanLimitReached, SpendCapReached) as error:  # a single Buy elsewhere came first
        return {**outcome, "status": FAILED, "message": error.message}
    except ProviderFailed as error:
        # An order the provider may have placed is kept as pending; sync settles it.
        return {
            **outcome,
            "status": PENDING if error.outcome_unknown else FAILED,
            "message": error.message,
        }
    if isinstance(bought, PurchaseRequest):
        held = readable(bought.hold_expires_at)
        return {
            **outcome,
            "status": REQUESTED,
            "message": f"Sent for approval: held for the team until {held}.",
            "requestId": bought.id,
        }
    number = bought.number
    ready = number.status == NumberStatus.ACTIVE
    message = (
        "Bought: ready to take calls." if ready else "Ordered: the provider is still completing it."
    )
    if bought.takeover is not None:
        took = ", ".join(bought.takeover.moved)
        message += f" It replaces {bought.takeover.old.phone_number} ({took}); "
        message += f"{bought.takeover.released}."
    return {
        **outcome,
        "phoneNumberId": number.id,
        "status": BOUGHT if ready else PENDING,
        "message": message,
    }
