"""Each event's `data`, built from the rows the service points already hold (no queries),
in the shapes app.events.catalog documents."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from app.models import PhoneNumber, PurchaseRequest


def stamp(value: datetime | None) -> str | None:
    if value is None:
        return None
    return value.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def number(row: PhoneNumber, **more: Any) -> dict[str, Any]:
    return {
        "teamId": row.team_id,
        "phoneNumberId": row.id,
        "phoneNumber": row.phone_number,
        **more,
    }


def money(value: Decimal | None) -> str | None:
    return None if value is None else f"{value:.2f}"


def purchase_request(request: PurchaseRequest) -> dict[str, Any]:
    return {
        "teamId": request.team_id,
        "purchaseRequestId": request.id,
        "phoneNumber": request.phone_number,
        "requestedBy": request.requested_by_id,
        "monthlyPrice": money(request.monthly_price),
        "setupPrice": money(request.setup_price),
        "heldUntil": stamp(request.hold_expires_at),
    }
