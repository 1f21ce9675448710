"""POST /webhooks/stripe: subscription events change the team's plan, each event once.

Point a Stripe webhook endpoint at https://<your host>/webhooks/stripe with the events
checkout.session.completed, customer.subscription.updated and customer.subscription.deleted,
and put its signing secret in STRIPE_WEBHOOK_SECRET.
"""

from __future__ import annotations

import logging

from flask import jsonify, request

from app.billing import BillingError, WebhookSignatureError, current_billing
from app.billing.subscription_events import apply_billing_event
from app.webhooks import bp

log = logging.getLogger(__name__)


@bp.post("/stripe")
def stripe():
    billing = current_billing()
    if billing.name != "stripe":
        return _answer(503, "unavailable", "Stripe webhooks are not configured (BILLING_PROVIDER).")
    try:
        event = billing.parse_webhook(request.get_data(), request.headers.get("Stripe-Signature"))
    except WebhookSignatureError as rejected:
        return _answer(400, "invalid_signature", rejected.message)
    except BillingError as error:
        return _answer(400, "invalid_request", error.message)
    if event is None:
        return {"success": True, "applied": False}
    outcome = apply_billing_event(event, billing.name)
    log.info("stripe event %s (%s): %s", event.event_id, event.kind, outcome)
    return {"success": True, "applied": outcome == "applied", "outcome": outcome}


def _answer(status: int, code: str, message: str):
    return jsonify({"success": False, "error": {"code": code, "message": message}}), status
