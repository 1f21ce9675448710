"""The three documented endpoints: search, purchase, list."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from flask import request

from app.accounts import team_for_user
from app.api import bp
from app.api.auth import api_user, token_required
from app.api.idempotency import idempotent
from app.errors import ValidationFailed
from app.models import PhoneNumber, utcnow
from app.numbers import lifecycle, service
from app.numbers.validation import parse_purchase, parse_search_filters
from app.ratelimit import api_purchase_limit, api_search_limit

MAX_PAGE = 500


@bp.post("/phone-numbers/search")
@api_search_limit
@token_required
def search():
    body = json_body()
    if "filters" not in body:
        raise ValidationFailed({"filters": "Filters are required."})
    result = service.search_numbers(parse_search_filters(body["filters"]))
    numbers = [
        {
            "phoneNumber": n.phone_number,
            "monthlyPrice": n.monthly_price,
            "setupPrice": n.setup_price,
            "features": list(n.features),
        }
        for n in result.numbers
    ]
    return {"success": True, "numbers": numbers, "provider": result.provider, "count": len(numbers)}


@bp.post("/phone-numbers/purchase")
@api_purchase_limit
@token_required
@idempotent(lambda: _body_field("teamId"))
def purchase():
    order = parse_purchase(json_body())
    bought = service.purchase_number(
        api_user(), order.team_id, order.phone_number, order.connection_id
    )
    number = bought.number
    return {
        "success": True,
        "phoneNumber": {
            "id": number.id,
            "phone_number": number.phone_number,
            "provider_number_id": number.provider_number_id,
            "status": number.effective_status(),
            "is_trial": number.is_trial,
            "trial_expires_at": iso(number.trial_expires_at),
            "message": _purchase_message(number.status),
        },
        "eligibility": bought.eligibility,
    }


@bp.get("/phone-numbers/purchase")
@token_required
def list_numbers():
    limit = _page_limit(request.args.get("limit"))
    page = service.list_numbers_page(
        api_user(), team_id_param(request.args.get("teamId")), limit, request.args.get("cursor")
    )
    now = utcnow()
    rows = [number_row(n, now) for n in page.numbers]
    body = {"success": True, "numbers": rows, "count": len(rows)}
    if limit is not None:  # paging is opt-in: without a limit the documented answer is whole
        body["nextCursor"] = page.next_cursor
    return body


def _page_limit(value: str | None) -> int | None:
    if value is None:
        return None
    if not value.isdigit() or not 1 <= int(value) <= MAX_PAGE:
        raise ValidationFailed({"limit": f"Limit must be a whole number from 1 to {MAX_PAGE}."})
    return int(value)


@bp.patch("/phone-numbers/<id(pn):number_id>")
@token_required
def update_number(number_id: str):
    body = json_body()
    if "label" not in body:
        raise ValidationFailed({"label": "Send the new label (null clears it)."})
    number = lifecycle.set_label(
        api_user(), team_id_param(body.get("teamId")), number_id, body["label"]
    )
    return {"success": True, "phoneNumber": number_row(number, utcnow())}


@bp.delete("/phone-numbers/<id(pn):number_id>")
@token_required
@idempotent(lambda: request.args.get("teamId"))
def release(number_id: str):
    user = api_user()
    team_id = team_id_param(request.args.get("teamId"))
    number = lifecycle.release_number(user, team_id, number_id)
    team = team_for_user(user, team_id)
    return {
        "success": True,
        "phoneNumber": {
            "id": number.id,
            "phone_number": number.phone_number,
            "status": number.status,
            "released_at": iso(number.released_at),
            "message": "Phone number released",
        },
        "eligibility": service.eligibility(team),
    }


def _body_field(name: str) -> object:
    body = request.get_json(silent=True) if request.is_json else None
    return body.get(name) if isinstance(body, dict) else None


def team_id_param(value: object) -> str:
    if not isinstance(value, str) or not value:
        raise ValidationFailed({"teamId": "Team id is required."})
    return value


def number_row(number: PhoneNumber, now: datetime) -> dict[str, Any]:
    assistant, buyer = number.assistant, number.created_by
    return {
        "id": number.id,
        "phone_number": number.phone_number,
        "provider": number.provider,
        "status": number.effective_status(now),
        "is_trial": number.is_trial,
        "trial_expires_at": iso(number.trial_expires_at),
        "assistant_id": assistant.id if assistant else None,
        "assistant_name": assistant.name if assistant else None,
        "created_by_email": buyer.email if buyer else None,
        "created_by_name": buyer.name if buyer else None,
        "created_at": iso(number.created_at),
        "label": number.label,
    }


def _purchase_message(status: str) -> str:
    if status == "pending":
        return "Phone number ordered; the provider is still completing the order"
    return "Phone number purchased successfully"


def json_body() -> dict[str, Any]:
    body = request.get_json(silent=True) if request.is_json else None
    if not isinstance(body, dict):
        raise ValidationFailed(
            {}, "The body must be a JSON object sent with Content-Type: application/json."
        )
    return body


def iso(moment: datetime | None) -> str | None:
    """ISO 8601 UTC with a Z, to the second (the contract's timestamps)."""
    if moment is None:
        return None
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
