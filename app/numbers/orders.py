"""Buying several numbers in one action: all of them must fit the plan, each gets an outcome.

Each number is bought by the one purchase path (app.numbers.purchasing: the team lock, the
plan check, the provider order), so a bulk order follows every rule a single Buy does. The
order record keeps each number's outcome, so a partly successful order says exactly which
numbers were bought, which are still being completed and which were not.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from app.accounts.roles import Actor, Permission
from app.exceptions import NotFound, NumberUnavailable, PlanLimitReached, ProviderFailed
from app.extensions import db
from app.ids import is_id
from app.models import NumberOrder, NumberStatus, utcnow
from app.numbers.cart import clear_holds
from app.numbers.purchasing import purchase_number
from app.plans.catalog import get_plan
from app.plans.limits import more_numbers, team_limit
from app.plans.rules import eligibility, held_count, purchase_refusal

MAX_ORDER = 20
BOUGHT, PENDING, UNAVAILABLE, FAILED = "bought", "pending", "unavailable", "failed"


def room_left(team) -> tuple[int, int, str | None]:
    """(numbers held, how many more the plan allows, why none at all if so)."""
    held = held_count(team.id)
    refusal = purchase_refusal(team, held)
    room = 0 if refusal else max(0, team_limit(team) - held)
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
    results = [_buy_one(actor, number, connection_id) for number in phone_numbers]
    settled = [r["phoneNumber"] for r in results if r["status"] != FAILED]
    if settled:
        clear_holds(team.id, settled)  # bought, on its way, or gone: no longer to decide on
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
    """complete (all bought), pending (all bought or on the way), partial, or failed."""
    statuses = {r["status"] for r in results}
    if statuses <= {BOUGHT}:
        return "complete"
    if statuses <= {BOUGHT, PENDING}:
        return "pending"
    return "partial" if statuses & {BOUGHT, PENDING} else "failed"


def summary(results: list[dict[str, Any]]) -> str:
    """ "2 of 3 bought, 1 unavailable": every number accounted for, in words."""
    counts = {s: sum(1 for r in results if r["status"] == s) for s in (BOUGHT, PENDING)}
    words = [f"{counts[BOUGHT]} of {len(results)} bought"]
    if counts[PENDING]:
        words.append(f"{counts[PENDING]} still being completed by the provider")
    for status in (UNAVAILABLE, FAILED):
        if n := sum(1 for r in results if r["status"] == status):
            words.append(f"{n} {'not available' if status == UNAVAILABLE else 'failed'}")
    return ", ".join(words)


def _buy_one(actor: Actor, phone_number: str, connection_id: str | None) -> dict[str, Any]:
    outcome: dict[str, Any] = {"phoneNumber": phone_number, "phoneNumberId": None}
    try:
        number = purchase_number(actor, phone_number, connection_id).number
    except NumberUnavailable as error:
        return {**outcome, "status": UNAVAILABLE, "message": error.message}
    except PlanLimitReached as error:  # a single Buy elsewhere filled the plan meanwhile
        return {**outcome, "status": FAILED, "message": error.message}
    except ProviderFailed as error:
        # An order the provider may have placed is kept as pending; sync settles it.
        return {
            **outcome,
            "status": PENDING if error.outcome_unknown else FAILED,
            "message": error.message,
        }
    ready = number.status == NumberStatus.ACTIVE
    return {
        **outcome,
        "phoneNumberId": number.id,
        "status": BOUGHT if ready else PENDING,
        "message": "Bought: ready to take calls."
        if ready
        else "Ordered: the provider is still completing it.",
    }
