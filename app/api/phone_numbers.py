"""The three documented endpoints (search, purchase, list), and a number's label and release
(and undoing a release)."""

from __future__ import annotations

from flask import Response, request

from app.accounts.roles import Permission
from app.accounts.scopes import NUMBERS_BUY, NUMBERS_MANAGE, NUMBERS_READ
from app.api import bp
from app.api.auth import api_actor, read_only, token_required
from app.api.idempotency import once
from app.api.listing import list_answer, respond
from app.api.payloads import (
    json_body,
    number_row,
    purchased,
    released,
    request_json,
    with_routing,
)
from app.exceptions import ValidationFailed
from app.guardrails.requests import buy_or_ask, sent_for_approval
from app.models import PurchaseRequest, utcnow
from app.numbers.export import numbers_csv
from app.numbers.listing import parse_filters
from app.numbers.managing import clean_label, list_number_rows, set_label
from app.numbers.queries import team_number
from app.numbers.releasing import back_message, release_number, undo_release
from app.numbers.searching import Offer, search_numbers
from app.numbers.validation import parse_purchase, parse_search_filters
from app.plans.rules import eligibility, held_count
from app.ratelimit import api_search_limit, purchase_limit
from app.routing.store import set_routing

MAX_PAGE = 500


@bp.post("/phone-numbers/search")
@read_only
@api_search_limit
@token_required(NUMBERS_READ)
def search():
    body = json_body()
    if "filters" not in body:
        raise ValidationFailed({"filters": "Filters are required."})
    filters = parse_search_filters(body["filters"])
    result = search_numbers(filters)
    # A client that sends only the contract's four filters gets the contract's answer, byte
    # for byte; one that uses the newer filters gets each result's place and match too.
    numbers = [offer_json(offer, detailed=filters.narrowed) for offer in result.numbers]
    answer = {
        "success": True,
        "numbers": numbers,
        "provider": result.provider,
        "count": len(numbers),
    }
    # Extra fields only when they say something, so the documented answer stays as it was.
    if result.requirements:
        answer["documentsRequired"] = [
            {"name": r.name, "description": r.description} for r in result.requirements
        ]
    if result.left_out:
        answer["leftOut"] = {
            "count": result.left_out,
            "reason": "The provider gave no price, or quoted a currency with no configured rate.",
        }
    if filters.narrowed:
        answer["available"] = result.available
        if not numbers:
            answer["relax"] = result.relax
    return answer


def offer_json(offer: Offer, detailed: bool = False) -> dict:
    found = {
        "phoneNumber": offer.phone_number,
        "monthlyPrice": offer.monthly_price,
        "setupPrice": offer.setup_price,
        "features": list(offer.features),
    }
    if not offer.reservable:
        found["reservable"] = False  # it can be bought, not held: said only when so
    if offer.quoted_currency != "USD":
        found["quotedCurrency"] = offer.quoted_currency  # converted to USD at PRICE_RATES
    if detailed:
        found["region"] = offer.place or None
        if offer.match is not None:
            found["match"] = {"start": offer.match[0], "end": offer.match[1]}
    return found


@bp.post("/phone-numbers/purchase")
@purchase_limit
@token_required(NUMBERS_BUY)
def purchase():
    order = parse_purchase(json_body())
    actor = api_actor(order.team_id, Permission.BUY)

    def buy():
        bought = buy_or_ask(actor, order.phone_number, order.connection_id)
        if isinstance(bought, PurchaseRequest):  # only where the team turned approvals on
            answer = {"success": True, "request": request_json(bought)}
            return answer | {"message": sent_for_approval(bought)}, 202
        return {
            "success": True,
            "phoneNumber": purchased(bought.number, utcnow()),
            "eligibility": bought.eligibility,
        }

    return once(actor.team.id, buy)


@bp.get("/phone-numbers/purchase")
@token_required(NUMBERS_READ)
def list_numbers():
    actor = api_actor(request.args.get("teamId"))
    limit = _page_limit(request.args.get("limit"))
    filters = parse_filters(request.args)  # all optional: none given lists every number
    include = request.args.get("include")
    if include not in (None, "routing"):
        raise ValidationFailed({"include": "Only include=routing is known."})
    answer = list_answer(actor.team, limit, request.args.get("cursor"), filters, include)
    return respond(answer)


@bp.get("/phone-numbers/export")
@token_required(NUMBERS_READ)
def export_numbers():
    """Every number the list's filters keep, as CSV (the Numbers page's export)."""
    actor = api_actor(request.args.get("teamId"))
    page = list_number_rows(actor.team, None, None, parse_filters(request.args))
    return Response(
        numbers_csv(page.numbers, utcnow()),
        mimetype="text/csv",
        headers={"Content-Disposition": 'attachment; filename="phone-numbers.csv"'},
    )


@bp.patch("/phone-numbers/<id(pn):number_id>")
@token_required(NUMBERS_MANAGE)
def update_number(number_id: str):
    """The label, the routing, or both. An answer includes `routing` only when it was sent:
    a client that knows only labels gets the answer it always got."""
    body = json_body()
    actor = api_actor(body.get("teamId"))
    if "label" not in body and "routing" not in body:
        raise ValidationFailed({"label": "Send the new label (null clears it)."})
    number = team_number(actor.team.id, number_id)
    if "label" in body:
        clean_label(body["label"])  # a bad label refuses the whole request, routing too
    if "routing" in body:
        set_routing(actor, number, body["routing"])
    if "label" in body:
        number = set_label(actor, number, body["label"])
    if "routing" in body:
        return {"success": True, "phoneNumber": with_routing(number)}
    return {"success": True, "phoneNumber": number_row(number, utcnow())}


@bp.delete("/phone-numbers/<id(pn):number_id>")
@token_required(NUMBERS_MANAGE)
def release(number_id: str):
    actor = api_actor(request.args.get("teamId"), Permission.RELEASE)

    def give_back():
        number = release_number(actor, number_id)
        return {
            "success": True,
            "phoneNumber": released(number),
            "eligibility": eligibility(actor.team, held_count(actor.team.id)),
        }

    return once(actor.team.id, give_back)


@bp.post("/phone-numbers/<id(pn):number_id>/undo-release")
@token_required(NUMBERS_MANAGE)
def undo(number_id: str):
    """Bring back a number whose release is still waiting out its grace window."""
    actor = api_actor(json_body().get("teamId"), Permission.RELEASE)

    def restore():
        undone = undo_release(actor, number_id)
        return {
            "success": True,
            "phoneNumber": number_row(undone.number, utcnow()),
            "eligibility": undone.eligibility,
            "message": back_message(undone, undone.number.phone_number),
        }

    return once(actor.team.id, restore)


def _page_limit(value: str | None) -> int | None:
    if value is None:
        return None
    # isdigit() accepts "²" and other digits int() refuses: check ASCII digits only.
    if not (value.isascii() and value.isdigit()) or not 1 <= int(value) <= MAX_PAGE:
        raise ValidationFailed({"limit": f"Limit must be a whole number from 1 to {MAX_PAGE}."})
    return int(value)
