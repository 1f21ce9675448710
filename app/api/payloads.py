"""Reading API request bodies and writing numbers the way the contract shows them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import current_app, request

from app.exceptions import ValidationFailed
from app.guardrails.rules import money
from app.json_provider import TooDeep
from app.models import SCHEDULED, PhoneNumber, PurchaseRequest, User, utcnow
from app.models.numbers import effective_status, public_status
from app.numbers.listed import ListedNumber
from app.timefmt import iso

PURCHASED = "Phone number purchased successfully"
ORDERED = "Phone number ordered; the provider is still completing the order"
RELEASED = "Phone number released"
SCHEDULED_RELEASE = (
    "Phone number releases at {due}; until then it keeps working, and "
    "POST /api/phone-numbers/{id}/undo-release brings it back"
)
DOCUMENTS = (
    "Phone number ordered; the provider needs regulatory documents before it completes the "
    "order, and cancels it if they are not provided by its deadline"
)


def json_body() -> dict[str, Any]:
    """The request's JSON object; ValidationFailed (400) for anything else, however malformed."""
    try:
        body = current_app.json.loads(request.get_data(cache=True)) if request.is_json else None
    except TooDeep as error:
        raise ValidationFailed({}, str(error)) from None
    except ValueError:  # not JSON, or not UTF-8
        body = None
    if not isinstance(body, dict):
        raise ValidationFailed(
            {}, "The body must be a JSON object sent with Content-Type: application/json."
        )
    return body


def number_row(number: PhoneNumber, now: datetime) -> dict[str, Any]:
    """One number entity as the list shows it."""
    return listed_number(ListedNumber.of(number), now)


def listed_number(row: Any, now: datetime) -> dict[str, Any]:
    """One row of app.numbers.listed.LIST_COLUMNS (or a ListedNumber) as the list shows it
    (the contract's fields, then ours)."""
    state = effective_status(row.status, row.is_trial, row.trial_expires_at, now)
    return {
        "id": row.id,
        "phone_number": row.phone_number,
        "provider": row.provider,
        "status": public_status(state),
        "is_trial": row.is_trial,
        "trial_expires_at": iso(row.trial_expires_at),
        "assistant_id": row.assistant_id,
        "assistant_name": row.assistant_name,
        "created_by_email": row.created_by_email,
        "created_by_name": row.created_by_name,
        "created_at": iso(row.created_at),
        "label": row.label,
        "state": str(state),
        "pending_reason": row.status_reason if row.status != "releasing" else None,
        # While set, the number's release waits out its grace window: undo-release restores it.
        "release_at": iso(row.release_after) if row.status_reason == SCHEDULED else None,
    }


def released(number: PhoneNumber) -> dict[str, Any]:
    """The release answer's phoneNumber object. With a grace window it also says when the
    release falls due (null once done); with none it is the answer it always was."""
    answer = {
        "id": number.id,
        "phone_number": number.phone_number,
        "status": number.status,
        "released_at": iso(number.released_at),
        "message": RELEASED,
    }
    if number.release_scheduled:
        due = iso(number.release_after)
        answer["message"] = SCHEDULED_RELEASE.format(due=due, id=number.id)
    if number.release_scheduled or current_app.config["RELEASE_GRACE_MINUTES"]:
        answer["release_at"] = iso(number.release_after) if number.release_scheduled else None
    return answer


def purchased(number: PhoneNumber, now: datetime) -> dict[str, Any]:
    """The purchase answer's phoneNumber object."""
    message = PURCHASED
    if number.status != "active":
        message = DOCUMENTS if number.status_reason == "documents" else ORDERED
    return {
        "id": number.id,
        "phone_number": number.phone_number,
        "provider_number_id": number.provider_number_id,
        "status": number.public_status(now),
        "is_trial": number.is_trial,
        "trial_expires_at": iso(number.trial_expires_at),
        "message": message,
        "pending_reason": number.status_reason,
    }


def request_json(request: PurchaseRequest, now: datetime | None = None) -> dict[str, Any]:
    """A purchase request, as every endpoint that shows one answers it."""
    return {
        "id": request.id,
        "teamId": request.team_id,
        "phoneNumber": request.phone_number,
        "region": request.place or None,
        "features": list(request.features),
        "monthlyPrice": money(request.monthly_price),
        "setupPrice": money(request.setup_price),
        "status": str(request.effective_status(now)),
        "heldUntil": iso(request.hold_expires_at),
        "requestedBy": _person(request.requested_by),
        "createdAt": iso(request.created_at),
        "decidedBy": _person(request.decided_by),
        "decidedAt": iso(request.decided_at),
        "reason": request.reason,
        "phoneNumberId": request.phone_number_id,
    }


def _person(user: User | None) -> dict[str, str] | None:
    return None if user is None else {"id": user.id, "email": user.email, "name": user.name}


def with_routing(number: PhoneNumber) -> dict[str, Any]:
    """The number as the list shows it, with its `routing` (app.routing.store)."""
    from app.calls.control import connection_json
    from app.routing.store import routing_json

    routing = routing_json(number)
    # At Telnyx: whether the number's calls reach our call application ("applied"), or the
    # last attempt failed ("not_applied", retried); absent in the sandbox.
    if (connection := connection_json(number)) is not None:
        routing["connection"] = connection
    return {**number_row(number, utcnow()), "routing": routing}
