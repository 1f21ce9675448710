"""What each MCP tool does, given the calling token's holder: a thin layer over the services
the API calls (search, quotes, the cart, purchases, the list, assistants, releases), answering
in the API's shapes. Refusals are the services' own errors (app.agents.calls words them).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import sqlalchemy as sa

from app import idempotency
from app.accounts.roles import Actor, Permission
from app.accounts.teams import actor_for, memberships_of
from app.accounts.tokens import TokenHolder
from app.agents import confirmations, health
from app.agents.calls import tool_error
from app.api.envelope import error_body
from app.api.orders import hold_json
from app.api.payloads import listed_number, number_row, purchased, released, request_json
from app.api.phone_numbers import offer_json
from app.assistants import service as assistants
from app.exceptions import NotFound, ServiceError, ValidationFailed
from app.extensions import db
from app.guardrails.requests import sent_for_approval
from app.guardrails.rules import money
from app.ids import is_id
from app.models import (
    Membership,
    NumberStatus,
    PhoneNumber,
    PurchaseQuote,
    PurchaseRequest,
    utcnow,
)
from app.models.numbers import name_key
from app.numbers import quotes
from app.numbers.cart import hold_number
from app.numbers.listing import parse_filters
from app.numbers.managing import list_number_rows
from app.numbers.purchasing import Purchase
from app.numbers.releasing import release_number
from app.numbers.searching import search_numbers
from app.numbers.validation import parse_purchase, parse_search_filters
from app.plans.rules import eligibility, held_count

Answer = dict[str, Any]
MAX_LIST = 200
LIST_PARAMS = {
    "query": "q",
    "status": "status",
    "assistant_id": "assistantId",
    "number_type": "numberType",
    "country_code": "countryCode",
    "sort": "sort",
}


def search(holder: TokenHolder, **filters: Any) -> Answer:
    with _tool_fields():
        given = {k: v for k, v in _api_names(filters).items() if v is not None}
        asked = parse_search_filters(given)
    result = search_numbers(asked)
    numbers = [offer_json(offer, detailed=True) for offer in result.numbers]
    answer = {"success": True, "numbers": numbers, "count": len(numbers)}
    answer["available"] = result.available
    if result.requirements:
        answer["documentsRequired"] = [
            {"name": r.name, "description": r.description} for r in result.requirements
        ]
    if result.left_out:
        answer["leftOut"] = {
            "count": result.left_out,
            "reason": "The provider gave no price, or quoted a currency with no configured rate.",
        }
    if not numbers:
        answer["relax"] = result.relax
    return answer


def quote(holder: TokenHolder, phone_number: str, team_id: str | None) -> Answer:
    actor = team_actor(holder, team_id)
    made = quotes.make_quote(actor, _number(phone_number, actor), holder.token_id)
    return {"success": True, "quote": quotes.quote_json(made, actor.team.plan)}


def hold(holder: TokenHolder, phone_number: str, team_id: str | None) -> Answer:
    actor = team_actor(holder, team_id)
    item = hold_number(actor, _number(phone_number, actor))
    return {"success": True, "hold": hold_json(item)}


def buy(holder: TokenHolder, quote_id: str, idempotency_key: str) -> Answer:
    if not idempotency.valid_key(idempotency_key):
        limit = idempotency.MAX_KEY_LENGTH
        raise ValidationFailed(
            {"idempotency_key": f"idempotency_key must be 1 to {limit} visible ASCII characters."}
        )
    found = quotes.find_quote(holder.user, quote_id)
    actor = actor_for(holder.user, found.team_id)
    actor.require(Permission.BUY)  # before the key is claimed, as the API does

    def attempt() -> idempotency.Answer:
        try:
            return idempotency.Answer(200, _bought(quotes.buy_with_quote(actor, found), found))
        except ServiceError as error:  # a refusal is an answer, replayed like any
            return idempotency.Answer(error.status, error_body(error))

    request_print = idempotency.fingerprint("mcp", "buy_number", quote_id)
    result, replayed = idempotency.run_once(actor.team.id, idempotency_key, request_print, attempt)
    body = result.body | ({"replayed": True} if replayed else {})
    return tool_error(body) if result.status >= 400 else body


def list_numbers(
    holder: TokenHolder, team_id: str | None, limit: int, cursor: str | None, **filters: Any
) -> Answer:
    actor = team_actor(holder, team_id)
    if isinstance(limit, bool) or not 1 <= limit <= MAX_LIST:
        raise ValidationFailed({"limit": f"limit must be a whole number from 1 to {MAX_LIST}."})
    # The API's query parameters, so the API's validator reads them (and its words name them).
    params = {LIST_PARAMS[name]: value for name, value in filters.items() if value is not None}
    with _tool_fields():
        page = list_number_rows(actor.team, limit, cursor, parse_filters(params))
    now = utcnow()
    rows = [listed_number(row, now) for row in page.rows]
    return {
        "success": True,
        "teamId": actor.team.id,
        "numbers": rows,
        "count": len(rows),
        "nextCursor": page.next_cursor,
    }


def assign(holder: TokenHolder, number_id: str, assistant: str | None) -> Answer:
    actor, number = number_actor(holder, number_id)
    found = None if assistant is None else _assistant(actor, assistant)
    assistants.assign_number(actor, number, found)
    db.session.refresh(number)
    return {"success": True, "phoneNumber": number_row(number, utcnow())}


def release(holder: TokenHolder, number_id: str, dry_run: bool, confirm: str | None) -> Answer:
    actor, number = number_actor(holder, number_id)
    actor.require(Permission.RELEASE)
    if dry_run:
        return {"success": True, **confirmations.preview(actor, number, holder.token_id)}
    if not confirm:
        raise ValidationFailed(
            {
                "confirm": "Call release_number with dry_run=true first, then again with the "
                "confirmation token it answers."
            }
        )
    confirmations.check(confirm, number, holder.token_id)
    gone = release_number(actor, number.id)
    return {
        "success": True,
        "phoneNumber": released(gone),
        "eligibility": eligibility(actor.team, held_count(actor.team.id)),
    }


def number_health(holder: TokenHolder, number_id: str) -> Answer:
    actor, number = number_actor(holder, number_id)
    return {"success": True, **health.report(number, utcnow())}


def team_actor(holder: TokenHolder, team_id: str | None) -> Actor:
    """The token's user acting for `team_id`; without one, for their only team."""
    if team_id is not None:
        return actor_for(holder.user, team_id)
    teams = memberships_of(holder.user)
    if len(teams) == 1:
        team, role = teams[0]
        return Actor(holder.user, team, role)
    named = ", ".join(f"{team.id} ({team.name})" for team, _role in teams[:10])
    raise ValidationFailed(
        {"team_id": f"Name the team: this token's user is in {len(teams)} teams: {named}."}
    )


def number_actor(holder: TokenHolder, number_id: object) -> tuple[Actor, PhoneNumber]:
    """One of the user's teams' numbers and the user acting for its team; NotFound for any
    other (another team's number reads as no number at all)."""
    number = None
    if is_id("pn", number_id):
        number = db.session.scalar(
            sa.select(PhoneNumber)
            .join(Membership, Membership.team_id == PhoneNumber.team_id)
            .where(
                PhoneNumber.id == number_id,
                Membership.user_id == holder.user.id,
                PhoneNumber.status != NumberStatus.RELEASED,
            )
        )
    if number is None:
        raise NotFound("Phone number not found.")
    return actor_for(holder.user, number.team_id), number


def _bought(bought: Purchase | PurchaseRequest, quote: PurchaseQuote) -> Answer:
    if isinstance(bought, PurchaseRequest):  # the team's approvals made it a request
        return {
            "success": True,
            "status": "requested",
            "request": request_json(bought),
            "message": sent_for_approval(bought),
        }
    return {
        "success": True,
        "status": "bought",
        "phoneNumber": purchased(bought.number, utcnow()),
        "price": {
            "setupPrice": money(quote.setup_price),
            "monthlyPrice": money(quote.monthly_price),
            "currency": quote.currency,
        },
        "eligibility": bought.eligibility,
    }


def _assistant(actor: Actor, wanted: str):
    """An assistant of the team by id, or by name (as the team spells it, any case)."""
    if is_id("asst", wanted):
        return assistants.team_assistant(actor.team, wanted)
    for found, _count in assistants.list_assistants(actor.team):
        if name_key(found.name) == name_key(wanted):
            return found
    raise NotFound(f"No assistant in {actor.team.name} is called {wanted[:120]!r}.")


def _number(phone_number: object, actor: Actor) -> str:
    with _tool_fields():
        return parse_purchase({"phoneNumber": phone_number, "teamId": actor.team.id}).phone_number


def _api_names(arguments: dict[str, Any]) -> dict[str, Any]:
    """Tool arguments (snake_case) under the API's names, for the API's validators."""
    return {re.sub(r"_([a-z])", lambda m: m.group(1).upper(), k): v for k, v in arguments.items()}


@contextmanager
def _tool_fields() -> Iterator[None]:
    """The API validators name fields as the API spells them ("filters.areaCode"): name
    them as the tool's arguments instead ("area_code")."""
    try:
        yield
    except ValidationFailed as error:
        error.fields = {_tool_name(k): v for k, v in error.fields.items()}
        raise


def _tool_name(field: str) -> str:
    field = {"q": "query"}.get(field, field).removeprefix("filters.")
    return re.sub(r"([A-Z])", lambda m: "_" + m.group(1).lower(), field)
