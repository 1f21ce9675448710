"""Reading Telnyx's records defensively: every field is optional, none is trusted blindly.

Shapes from Telnyx's v2 OpenAPI spec: available numbers carry `best_effort`,
`cost_information {upfront_cost, monthly_cost, currency}` as strings and `features [{name}]`;
number orders and the numbers in them have `status` pending | success | failure and
`requirements_met`; owned number records have a `status` such as active, purchase-pending,
purchase-failed, requirement-info-pending or deleted.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from app.phone import digits, normalise
from app.providers.base import HOLD_LENGTH, AvailableNumber, Hold, OwnedNumber

# Telnyx's owned-number statuses that mean "still on its way to us".
OWNED_PENDING = frozenset(
    {
        "purchase-pending",
        "provision-pending",
        "requirement-info-pending",
        "requirement-info-under-review",
        "requirement-info-exception",
    }
)
# No real number costs more than this a month; a bigger quote is garbage, not a price.
MAX_PRICE = Decimal("10000")


def text(value: Any) -> str:
    return value.strip().lower() if isinstance(value, str) else ""


def price(value: Any) -> Decimal | None:
    """A quoted amount, or None when it is missing or not a sane, non-negative price."""
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        return None
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        return None
    if not amount.is_finite() or amount < 0 or amount > MAX_PRICE:
        return None
    return amount


def available(item: Any) -> AvailableNumber | None:
    """One search result; None for best-effort matches and records without a valid number."""
    if not isinstance(item, dict) or item.get("best_effort") in (True, "true"):
        return None
    number = normalise(item.get("phone_number"))
    if number is None:
        return None
    cost = item.get("cost_information")
    cost = cost if isinstance(cost, dict) else {}
    currency = cost.get("currency")
    currency = currency.upper() if isinstance(currency, str) and len(currency) == 3 else None
    names = [f.get("name") for f in item.get("features") or [] if isinstance(f, dict)]
    return AvailableNumber(
        number,
        price(cost.get("monthly_cost")),
        price(cost.get("upfront_cost")),
        currency if currency and currency.isalpha() else None,
        tuple(name for name in names if isinstance(name, str) and name.isprintable()),
        place(item.get("region_information")),
        # Only numbers Telnyx says it will reserve are offered a hold; the rest can be bought.
        reservable=item.get("reservable") is True,
    )


def place(regions: Any) -> str:
    """ "Chicago, IL" from `region_information` (rate center or location, then state)."""
    named: dict[str, str] = {}
    for entry in regions if isinstance(regions, list) else []:
        if isinstance(entry, dict):
            kind, name = entry.get("region_type"), entry.get("region_name")
            if isinstance(kind, str) and isinstance(name, str) and name.isprintable():
                named.setdefault(kind, " ".join(name.split())[:80])
    city = named.get("location") or named.get("rate_center", "").title()
    return ", ".join(part for part in (city, named.get("state", "")) if part)


def total_matching(meta: Any) -> int | None:
    """How many numbers match in all (best-effort ones left out), when Telnyx says."""
    if not isinstance(meta, dict):
        return None
    total, best = meta.get("total_results"), meta.get("best_effort_results", 0)
    if isinstance(total, bool) or not isinstance(total, int) or total < 0:
        return None
    best = best if isinstance(best, int) and not isinstance(best, bool) and best >= 0 else 0
    return max(0, total - best)


def order_state(order: dict[str, Any], phone_number: str) -> tuple[str, bool]:
    """(pending | success | failure, documents required) for one number of an order."""
    wanted = digits(phone_number)
    entries = order.get("phone_numbers")
    entry = next(
        (
            e
            for e in (entries if isinstance(entries, list) else [])
            if isinstance(e, dict) and digits(str(e.get("phone_number") or "")) == wanted
        ),
        None,
    )
    status = text((entry or {}).get("status")) or text(order.get("status"))
    if status not in ("pending", "success", "failure"):
        status = "pending"  # an unknown word is not an outcome: ask again later
    met = (entry or {}).get("requirements_met", order.get("requirements_met"))
    return status, met is False


def owned(record: Any) -> OwnedNumber | None:
    """An owned-number record; None for deleted ones and records without an id or number."""
    if not isinstance(record, dict) or not record.get("id"):
        return None
    number = normalise(record.get("phone_number"))
    status = text(record.get("status"))
    if number is None or status == "deleted":
        return None
    if status == "active":
        state = "active"
    elif status in OWNED_PENDING:
        state = "pending"
    else:
        state = "gone"  # purchase-failed, ported out, ...: not a number we can use
    return OwnedNumber(str(record["id"]), number, state)


def reservation(record: Any, phone_number: str) -> tuple[str, Hold | None]:
    """A number reservation's state for one number, and its hold once Telnyx says `success`.

    The state is "success", "pending" or "failure" (also for a record without an id or without
    the number). Only a success is a hold: a pending reservation is read again (the spec's own
    example is a pending one). A missing or unreadable `expired_at` is read as the documented
    30 minutes from now.
    """
    if not isinstance(record, dict) or not record.get("id"):
        return "failure", None
    entries = record.get("phone_numbers")
    entry = next(
        (
            e
            for e in (entries if isinstance(entries, list) else [])
            if isinstance(e, dict)
            and digits(str(e.get("phone_number") or "")) == digits(phone_number)
        ),
        None,
    )
    if entry is None:
        return "failure", None
    status = text(entry.get("status")) or text(record.get("status"))
    if status != "success":
        # An unknown word is no hold either, but may still become one: read it again.
        return ("failure" if status == "failure" else "pending"), None
    try:
        expires = datetime.fromisoformat(str(entry.get("expired_at")).replace("Z", "+00:00"))
    except ValueError:
        expires = None
    if expires is None or expires.tzinfo is None:
        expires = datetime.now(UTC) + HOLD_LENGTH
    return "success", Hold(str(record["id"]), expires.astimezone(UTC))


def reservation_errors(record: Any) -> str:
    """The reservation's `errors` text (why numbers failed), short and printable, or ""."""
    errors = record.get("errors") if isinstance(record, dict) else None
    if not isinstance(errors, str) or not errors.isprintable():
        return ""
    return " ".join(errors.split())[:200].rstrip(".")


def moment(value: Any) -> datetime | None:
    """An ISO 8601 time Telnyx sent (aware, UTC), or None when it is missing or unreadable."""
    if not isinstance(value, str):
        return None
    try:
        found = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return found.astimezone(UTC) if found.tzinfo is not None else None
