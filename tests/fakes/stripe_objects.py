"""Stripe objects as the API returns them, trimmed from stripe/openapi's fixtures3.json.

Keys starting with "_" are the fake's bookkeeping, never sent (see tests/fakes/stripe_api.public).
"""

from __future__ import annotations

import copy
import time
from typing import Any

from tests.fakes.stripe_wire import new_id

_MONTH = 30 * 24 * 3600


def price(price_id: str, unit_amount: int, interval: str | None, currency: str) -> dict[str, Any]:
    """A price, recurring unless interval is None."""
    recurring = None
    if interval:
        recurring = {
            "interval": interval,
            "interval_count": 1,
            "meter": None,
            "trial_period_days": None,
            "usage_type": "licensed",
        }
    return {
        "id": price_id,
        "object": "price",
        "active": True,
        "billing_scheme": "per_unit",
        "created": int(time.time()),
        "currency": currency,
        "livemode": False,
        "lookup_key": None,
        "metadata": {},
        "nickname": None,
        "product": new_id("prod", 14),
        "recurring": recurring,
        "type": "recurring" if recurring else "one_time",
        "unit_amount": unit_amount,
        "unit_amount_decimal": str(unit_amount),
    }


def customer(params: dict[str, Any]) -> dict[str, Any]:
    customer_id = new_id("cus", 14)
    return {
        "id": customer_id,
        "object": "customer",
        "balance": 0,
        "created": int(time.time()),
        "currency": None,
        "default_source": None,
        "delinquent": False,
        "description": params.get("description"),
        "email": params.get("email"),
        "invoice_prefix": customer_id[4:12].upper(),
        "livemode": False,
        "metadata": dict(params.get("metadata") or {}),
        "name": params.get("name"),
        "phone": params.get("phone"),
        "test_clock": None,
    }


def checkout_session(
    params: dict[str, Any], items: list[dict[str, Any]], prices: list[dict[str, Any]]
) -> dict[str, Any]:
    """An open session from validated create params; items and prices line up."""
    session_id = new_id("cs_test", 58)
    now = int(time.time())
    total = sum(p["unit_amount"] * int(i["quantity"]) for p, i in zip(prices, items, strict=True))
    subscription_data = params.get("subscription_data") or {}
    return {
        "id": session_id,
        "object": "checkout.session",
        "amount_subtotal": total,
        "amount_total": total,
        "cancel_url": params.get("cancel_url"),
        "client_reference_id": params.get("client_reference_id"),
        "created": now,
        "currency": prices[0]["currency"] if prices else None,
        "customer": params.get("customer"),
        "customer_details": None,
        "customer_email": params.get("customer_email"),
        "expires_at": now + 24 * 3600,
        "invoice": None,
        "livemode": False,
        "metadata": dict(params.get("metadata") or {}),
        "mode": params["mode"],
        "payment_status": "unpaid",
        "status": "open",
        "subscription": None,
        "success_url": params.get("success_url"),
        "ui_mode": "hosted",
        "url": f"https://checkout.stripe.com/c/pay/{session_id}",
        "_line_items": [dict(item) for item in items],
        "_subscription_metadata": dict(subscription_data.get("metadata") or {}),
    }


def portal_session(customer_id: str, return_url: str | None) -> dict[str, Any]:
    portal_id = new_id("bps")
    return {
        "id": portal_id,
        "object": "billing_portal.session",
        "configuration": "bpc_" + portal_id[4:],
        "created": int(time.time()),
        "customer": customer_id,
        "flow": None,
        "livemode": False,
        "locale": None,
        "on_behalf_of": None,
        "return_url": return_url,
        "url": f"https://billing.stripe.com/p/session/test_{portal_id[4:]}",
    }


def subscription_item(sub_id: str, price: dict[str, Any], quantity: int) -> dict[str, Any]:
    now = int(time.time())
    return {
        "id": new_id("si", 14),
        "object": "subscription_item",
        "created": now,
        "current_period_start": now,
        "current_period_end": now + _MONTH,
        "metadata": {},
        "price": copy.deepcopy(price),
        "quantity": quantity,
        "subscription": sub_id,
    }


def subscription(
    sub_id: str,
    customer_id: str,
    items: list[dict[str, Any]],
    metadata: dict[str, str],
    status: str,
) -> dict[str, Any]:
    now = int(time.time())
    return {
        "id": sub_id,
        "object": "subscription",
        "billing_cycle_anchor": now,
        "cancel_at": None,
        "cancel_at_period_end": False,
        "canceled_at": None,
        "collection_method": "charge_automatically",
        "created": now,
        "currency": items[0]["price"]["currency"] if items else "usd",
        "customer": customer_id,
        "default_payment_method": None,
        "ended_at": None,
        "items": {
            "object": "list",
            "data": items,
            "has_more": False,
            "url": f"/v1/subscription_items?subscription={sub_id}",
        },
        "latest_invoice": None,
        "livemode": False,
        "metadata": dict(metadata),
        "start_date": now,
        "status": status,
        "test_clock": None,
        "trial_end": None,
        "trial_start": None,
    }
