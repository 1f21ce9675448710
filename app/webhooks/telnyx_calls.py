"""POST /webhooks/telnyx/calls: the call application's events (signed like the order
webhook), applied once each by app.calls.events.

Telnyx waits for our answer before it sends the next event of a call, and delivers an event
again after a non-2xx answer: Telnyx being down while we command a call answers 503, and
the retry sends the same command ids (Telnyx ignores repeats)."""

from __future__ import annotations

import logging

from app.calls.events import apply_event
from app.extensions import db
from app.providers.base import ProviderError
from app.webhooks import bp
from app.webhooks.telnyx import _answer, verified_event

log = logging.getLogger(__name__)


@bp.post("/telnyx/calls")
def telnyx_calls():
    event, refusal = verified_event()
    if event is None:
        return refusal
    try:
        done = apply_event(event)
    except ProviderError as error:
        db.session.rollback()
        log.warning("could not apply Telnyx call event %s: %s", event["id"], error.message)
        return _answer(503, "provider_error", error.message)
    return {"success": True, "applied": done not in ("ignored", "duplicate"), "result": done}
