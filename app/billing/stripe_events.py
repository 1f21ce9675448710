"""Stripe's webhook deliveries, checked and reduced to BillingEvents.

The signature is checked by Stripe's own library (HMAC-SHA256 of "<t>.<body>"), and then the
timestamp both ways: the library refuses one older than the tolerance, and a timestamp far
in the future is refused here too (it would otherwise stay "recent" for as long as it
pleases). The body is signed, but the shape is still checked field by field: a signed body
that is not the event Stripe documents (an array, metadata as a list, `created` as text or
beyond any clock, JSON nested past reason) is a BillingError, answered 400, and nothing is
applied.
"""

from __future__ import annotations

import json
import time
from collections.abc import Mapping
from typing import Any

import stripe

from app.billing.base import (
    CHECKOUT_COMPLETED,
    CHECKOUT_EXPIRED,
    CHECKOUT_FAILED,
    ENDED_STATUSES,
    SUBSCRIPTION_DELETED,
    SUBSCRIPTION_UPDATED,
    BillingError,
    BillingEvent,
    WebhookSignatureError,
)
from app.plans.catalog import DEFAULT_PLAN

_KINDS = {
    "checkout.session.completed": CHECKOUT_COMPLETED,
    # A delayed payment method (a bank debit) completes the session unpaid; one of these
    # follows when the money arrives or does not (docs.stripe.com/checkout/fulfillment).
    "checkout.session.async_payment_succeeded": CHECKOUT_COMPLETED,
    "checkout.session.async_payment_failed": CHECKOUT_FAILED,
    "checkout.session.expired": CHECKOUT_EXPIRED,
    "customer.subscription.updated": SUBSCRIPTION_UPDATED,
    "customer.subscription.deleted": SUBSCRIPTION_DELETED,
}
# Nothing is paid any more, for now or for good: the team falls back to the free plan.
# "unpaid" (retries exhausted, the invoice still open) and "paused" (a trial ended without a
# payment method) can still be paid or resumed, so the team keeps the subscription's id.
_NOT_PAYING = ENDED_STATUSES | {"unpaid", "paused"}
# Paying, or about to: past_due keeps the plan while Stripe retries the card.
_PAYING = frozenset({"active", "trialing", "past_due"})
# A checkout that needs no payment (a trial, a 100% coupon) is as good as paid.
_SETTLED = frozenset({"paid", "no_payment_required"})
_MAX_DEPTH = 32  # Stripe's events nest a few levels; far deeper is not an event
_EARLIEST = 1_262_304_000  # 2010-01-01: before Stripe sent any event


def verified_event(payload: bytes, header: str | None, secret: str, tolerance: int) -> dict:
    """The event as a dict when the signature is ours and its time within tolerance."""
    try:
        text = payload.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise WebhookSignatureError("Stripe webhook refused: the body is not UTF-8.") from exc
    try:
        stripe.WebhookSignature.verify_header(text, header, secret, tolerance)
    except stripe.SignatureVerificationError as exc:
        raise WebhookSignatureError(f"Stripe webhook refused: {exc.user_message}") from exc
    stamp = _timestamp(header or "")
    if stamp > time.time() + tolerance:
        raise WebhookSignatureError(
            "Stripe webhook refused: its timestamp is in the future, outside the tolerance zone."
        )
    try:
        data = json.loads(text)
    except (ValueError, RecursionError) as exc:
        raise BillingError("The signed Stripe webhook is not a JSON event.") from exc
    if not isinstance(data, dict) or _depth(data) > _MAX_DEPTH:
        raise BillingError("The signed Stripe webhook is not a JSON event.")
    return data


def billing_event(data: Mapping[str, Any], plans: Mapping[str, str]) -> BillingEvent | None:
    """The event the app acts on, or None for types it ignores; `plans` maps price ids to
    plan keys. Raises BillingError naming the field that is not as Stripe sends it."""
    kind = _KINDS.get(data.get("type")) if isinstance(data.get("type"), str) else None
    if kind is None:
        return None
    event_id = _text(data, "id", required=True)
    created = data.get("created")
    if type(created) is not int or not _EARLIEST <= created <= time.time() + 3600:
        raise BillingError(f"The Stripe event {event_id} has no valid `created` time.")
    obj = data.get("data").get("object") if isinstance(data.get("data"), dict) else None
    if not isinstance(obj, dict):
        raise BillingError(f"The Stripe event {event_id} has no data.object.")
    metadata = obj.get("metadata")
    if metadata is None:
        metadata = {}
    if not isinstance(metadata, dict):
        raise BillingError(f"The Stripe event {event_id} has metadata that is not an object.")
    common = {
        "event_id": event_id,
        "kind": kind,
        "customer_id": _id(obj.get("customer"), "customer", event_id),
        "created": created,
    }
    if kind in (CHECKOUT_COMPLETED, CHECKOUT_FAILED, CHECKOUT_EXPIRED):
        if obj.get("mode") != "subscription":
            return None  # a one-off payment is not a plan change
        plan = _text(metadata, "plan")
        paid = _text(obj, "payment_status") in _SETTLED
        # An unpaid session (a slow payment method) promises nothing yet.
        if kind != CHECKOUT_COMPLETED or plan not in plans.values() or not paid:
            plan = None
        return BillingEvent(
            **common,
            team_id=_text(obj, "client_reference_id") or _text(metadata, "team_id"),
            plan_key=plan,
            subscription_id=_id(obj.get("subscription"), "subscription", event_id),
            status=_text(obj, "payment_status"),
            checkout_id=_text(obj, "id"),
        )
    status = _text(obj, "status")
    if kind == SUBSCRIPTION_DELETED or status in _NOT_PAYING:
        plan = DEFAULT_PLAN
    elif status in _PAYING:
        plan = _plan_of(obj, plans)
    else:
        plan = None  # incomplete: the first payment is still on its way
    return BillingEvent(
        **common,
        team_id=_text(metadata, "team_id"),
        plan_key=plan,
        subscription_id=_id(obj.get("id"), "id", event_id),
        status="canceled" if kind == SUBSCRIPTION_DELETED else status,
    )


def _timestamp(header: str) -> int:
    for item in header.split(","):
        key, _, value = item.partition("=")
        if key.strip() == "t":
            try:
                return int(value)
            except ValueError:
                break
    raise WebhookSignatureError("Stripe webhook refused: the signature has no timestamp.")


def _depth(value: Any, level: int = 0) -> int:
    """How deeply value nests, counting no further than just past the limit."""
    if level > _MAX_DEPTH or not isinstance(value, dict | list):
        return level
    items = value.values() if isinstance(value, dict) else value
    return max((_depth(item, level + 1) for item in items), default=level)


def _text(obj: Mapping[str, Any], key: str, *, required: bool = False) -> str | None:
    value = obj.get(key)
    if isinstance(value, str) and value and len(value) <= 255:
        return value
    if required or value is not None:
        raise BillingError(f"The Stripe event has a `{key}` that is not as Stripe sends it.")
    return None


def _id(value: Any, name: str, event_id: str) -> str | None:
    """An object's id whether Stripe sent the id or the expanded object."""
    if isinstance(value, dict):
        value = value.get("id")
    if value is None:
        return None
    if isinstance(value, str) and 0 < len(value) <= 100:
        return value
    raise BillingError(f"The Stripe event {event_id} has a `{name}` that is not an id.")


def _plan_of(sub: Mapping[str, Any], plans: Mapping[str, str]) -> str | None:
    """The plan of the first subscription item whose price we sell."""
    items = sub.get("items").get("data") if isinstance(sub.get("items"), dict) else None
    for item in items if isinstance(items, list) else []:
        price = item.get("price") if isinstance(item, dict) else None
        key = price.get("id") if isinstance(price, dict) else price
        plan = plans.get(key) if isinstance(key, str) else None
        if plan is not None:
            return plan
    return None
