"""Orders: buy several numbers in one request (all fit the plan, or none is bought), then GET
it; and holds: keep numbers for the team for 30 minutes while it decides (the cart)."""

from __future__ import annotations

from typing import Any

from flask import request

from app.accounts.roles import Permission
from app.accounts.scopes import NUMBERS_BUY, NUMBERS_READ
from app.api import bp
from app.api.auth import api_actor, token_required
from app.api.idempotency import once
from app.api.payloads import json_body, request_json
from app.exceptions import ValidationFailed
from app.guardrails.requests import requests_by_id
from app.guardrails.rules import money
from app.models import CartItem, NumberOrder
from app.numbers.cart import drop_hold, hold_number, team_cart
from app.numbers.orders import (
    MAX_ORDER,
    REQUESTED,
    buy_numbers,
    order_status,
    summary,
    team_order,
)
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
        answer = {
            "success": True,
            "order": order_json(order),
            "eligibility": eligibility(actor.team, held_count(actor.team.id)),
        }
        asked = [r["requestId"] for r in order.results if r["status"] == REQUESTED]
        if asked:  # only where the team turned approvals on
            return answer | {"requests": [request_json(r) for r in requests_by_id(asked)]}, 202
        return answer

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
        "holds": [hold_json(item, cart.awaiting.get(item.phone_number)) for item in cart.items],
        "count": len(cart.items),
        "dueNow": money(cart.due_now),
        "perMonth": money(cart.monthly_total),
        "planAllows": cart.room,
    }


@bp.delete("/phone-numbers/holds/<id(hold):hold_id>")
@token_required(NUMBERS_BUY)
def delete_hold(hold_id: str):
    actor = api_actor(request.args.get("teamId"), Permission.BUY)
    return {"success": True, "hold": hold_json(drop_hold(actor, hold_id))}


def hold_json(item: CartItem, request_id: str | None = None) -> dict[str, Any]:
    """A hold; one kept for a member's purchase request names it (`purchaseRequestId`)."""
    found = {
        "id": item.id,
        "phoneNumber": item.phone_number,
        "region": item.place or None,
        "features": list(item.features),
        "monthlyPrice": money(item.monthly_price),
        "setupPrice": money(item.setup_price),
        "heldUntil": iso(item.expires_at),
    }
    return found | {"purchaseRequestId": request_id} if request_id else found
