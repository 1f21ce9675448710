"""POST /webhooks/telnyx: `number_order.complete` settles the order at once.

Polling (`flask numbers sync`, and listing a team's numbers) stays the fallback, so a
webhook that never arrives delays a number, never loses it.
"""

from __future__ import annotations

import logging

from flask import current_app, jsonify, request
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from app.models import WebhookEvent
from app.numbers.settling import SETTLED, settle_order
from app.providers import current_provider
from app.providers.base import ProviderError
from app.providers.telnyx.webhooks import WebhookRejected, verify
from app.webhooks import bp

log = logging.getLogger(__name__)
ORDER_COMPLETE = "number_order.complete"


def verified_event():
    """The request's Telnyx event (its `data`), or the error answer to send instead."""
    key = current_app.extensions.get("telnyx_webhook_key")
    if current_provider().name != "telnyx" or key is None:
        return None, _answer(
            503, "unavailable", "Telnyx webhooks are not configured (TELNYX_PUBLIC_KEY)."
        )
    try:
        event = verify(
            request.get_data(),
            request.headers.get("telnyx-signature-ed25519"),
            request.headers.get("telnyx-timestamp"),
            key,
        )
    except WebhookRejected as rejected:
        return None, _answer(401, "unauthorized", str(rejected))
    return event, None


@bp.post("/telnyx")
def telnyx():
    event, refusal = verified_event()
    if event is None:
        return refusal
    event_type = str(event.get("event_type") or "")
    if event_type != ORDER_COMPLETE:
        return {"success": True, "applied": False}
    if db.session.get(WebhookEvent, ("telnyx", event["id"])) is not None:
        return {"success": True, "applied": False, "duplicate": True}
    order = event.get("payload") if isinstance(event.get("payload"), dict) else {}
    provider = current_provider()
    try:
        outcomes = settle_order(
            str(order.get("id") or "") or None,
            order.get("customer_reference")
            if isinstance(order.get("customer_reference"), str)
            else None,
            lambda phone_number: provider.order_result(order, phone_number),
        )
    except ProviderError as error:
        # Telnyx delivers again after a non-2xx answer; the order stays pending until then.
        log.warning("could not apply Telnyx event %s: %s", event["id"], error.message)
        db.session.rollback()
        return _answer(503, "provider_error", error.message)
    db.session.add(WebhookEvent(provider="telnyx", event_id=event["id"], event_type=event_type))
    try:
        db.session.commit()
    except IntegrityError:  # the same event applied by another worker a moment ago
        db.session.rollback()
    # What became of each number: only a final outcome counts as settled (Telnyx may send
    # the event while a regulated number still waits for its documents).
    return {
        "success": True,
        "applied": True,
        "settled": sum(outcome in SETTLED for _number, outcome in outcomes),
        "numbers": [{"phoneNumber": number, "outcome": outcome} for number, outcome in outcomes],
    }


def _answer(status: int, code: str, message: str):
    return jsonify({"success": False, "error": {"code": code, "message": message}}), status
