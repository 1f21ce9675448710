"""Reading API request bodies and writing numbers the way the contract shows them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import current_app, request

from app.exceptions import ValidationFailed
from app.json_provider import TooDeep
from app.models import PhoneNumber
from app.timefmt import iso

PURCHASED = "Phone number purchased successfully"
ORDERED = "Phone number ordered; the provider is still completing the order"
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
    """One number as the list shows it (the contract's fields, then ours)."""
    assistant, buyer = number.assistant, number.created_by
    return {
        "id": number.id,
        "phone_number": number.phone_number,
        "provider": number.provider,
        "status": number.public_status(now),
        "is_trial": number.is_trial,
        "trial_expires_at": iso(number.trial_expires_at),
        "assistant_id": assistant.id if assistant else None,
        "assistant_name": assistant.name if assistant else None,
        "created_by_email": buyer.email if buyer else None,
        "created_by_name": buyer.name if buyer else None,
        "created_at": iso(number.created_at),
        "label": number.label,
        "state": str(number.effective_status(now)),
        "pending_reason": number.status_reason if number.status != "releasing" else None,
    }


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
