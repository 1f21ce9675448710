"""Orders: buy several numbers in one request (all fit the plan, or none is bought), then GET
it; and holds: keep numbers for the team for 30 minutes while it decides (the cart)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from flask import request

from app.accounts.roles import Permission
from app.accounts.scopes import NUMBERS_BUY, NUMBERS_READ
from app.api import bp
from app.api.auth import api_actor, token_required
from app.api.idempotency import once
from app.api.payloads import json_body
from app.exceptions import ValidationFailed
from app.models import CartItem, NumberOrder
from app.numbers.cart import drop_hold, hold_number, team_cart
from app.numbers.orders import MAX_ORDER, buy_numbers, order_status, summary, team_order
from app.numbers.validation import parse_purchase
from app.plans.rules import eligibility, held_count
from app.ratelimit import purchase_limit
from app.timefmt import iso


@bp.post("/phone-numbers/orders")
@purchase_limit
@token_required(NUMBERS_BUY)
def create_order():
    body = json_body()
    numbers = _phone_numbers(body)
    first = parse_purchase({**body, "phoneNumber": numbers[0] if numbers else ""})
    actor = api_actor(first.team_id, Permission.BUY)

    def buy():
        order = buy_numbers(actor, numbers, first.connection_id)
        return {
            "success": True,
            "order": order_json(order),
            "eligibility": eligibility(actor.team, held_count(actor.team.id)),
        }

    return once(actor.team.id, buy)


@bp.get("/phone-numbers/orders/<id(ord):order_id>")
@token_required(NUMBERS_READ)
def get_order(order_id: str):
    actor = api_actor(request.args.get("teamId"))
    return {"success": True, "order": order_json(team_order(actor.team.id, order_id))}


def order_json(order: NumberOrder) -> dict[str, Any]:
    return {
        "id": order.id,
        "status": order_status(order.results),
        "summary": summary(order.results),
        "createdAt": iso(order.created_at),
        "numbers": order.results,
    }


def _phone_numbers(body: dict[str, Any]) -> list[str]:
    """Each number checked as a purchase checks it; repeats are one number."""
    given = body.get("phoneNumbers")
    if not isinstance(given, list) or not 1 <= len(given) <= MAX_ORDER:
        raise ValidationFailed(
            {"phoneNumbers": f"Phone numbers must be a list of 1 to {MAX_ORDER} E.164 numbers."}
        )
    found: list[str] = []
    for index, number in enumerate(given):
        try:
            canonical = parse_purchase({"phoneNumber": number, "teamId": "-"}).phone_number
        except ValidationFailed as error:
            # Named by position: the bad text itself may be unprintable.
            problem = error.fields["phoneNumber"]
            raise ValidationFailed({"phoneNumbers": f"Item {index + 1}: {problem}"}) from None
        if canonical not in found:
            found.append(canonical)
    return found


@bp.post("/phone-numbers/holds")
@purchase_limit  # a hold asks the provider too: it shares the purchase budget
@token_required(NUMBERS_BUY)
def create_hold():
    body = json_body()
    wanted = parse_purchase({**body, "connectionId": None})
    actor = api_actor(wanted.team_id, Permission.BUY)
    return {"success": True, "hold": hold_json(hold_number(actor, wanted.phone_number))}, 201


@bp.get("/phone-numbers/holds")
@token_required(NUMBERS_READ)
def list_holds():
    actor = api_actor(request.args.get("teamId"))
    cart = team_cart(actor.team)
    return {
        "success": True,
        "holds": [hold_json(item) for item in cart.items],
        "count": len(cart.items),
        "dueNow": _usd(cart.due_now),
        "perMonth": _usd(cart.monthly_total),
        "planAllows": cart.room,
    }


@bp.delete("/phone-numbers/holds/<id(hold):hold_id>")
@token_required(NUMBERS_BUY)
def delete_hold(hold_id: str):
    actor = api_actor(request.args.get("teamId"), Permission.BUY)
    return {"success": True, "hold": hold_json(drop_hold(actor, hold_id))}


def hold_json(item: CartItem) -> dict[str, Any]:
    return {
        "id": item.id,
        "phoneNumber": item.phone_number,
        "region": item.place or None,
        "features": list(item.features),
        "monthlyPrice": _usd(item.monthly_price),
        "setupPrice": _usd(item.setup_price),
        "heldUntil": iso(item.expires_at),
    }


def _usd(amount: Decimal | None) -> str | None:
    return None if amount is None else str(amount.quantize(Decimal("0.01")))
