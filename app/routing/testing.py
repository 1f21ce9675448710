"""The routing test: a simulated call to one of the team's numbers, decided by the engine,
with a signed test event sent to a webhook destination, and logged as a test call."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from app.accounts.roles import Actor, Permission
from app.calls.log import record_call
from app.exceptions import ValidationFailed
from app.extensions import db
from app.models import Call, PhoneNumber, utcnow
from app.phone import normalise
from app.providers import current_provider
from app.routing.engine import Decision, Routing, decide
from app.routing.probe import Probe, send_test_event
from app.routing.secrets import signing_secret
from app.routing.store import load_routing
from app.timefmt import iso

WITHHELD = "anonymous"


@dataclass(frozen=True)
class SimulatedCall:
    decision: Decision
    routing: Routing
    caller: str
    at: datetime
    probe: Probe | None
    call: Call

    @property
    def outcome(self) -> str:
        return self.call.outcome


def parse_caller(value: object, field: str = "from") -> str:
    """An E.164 caller (any international spelling), or "anonymous" for a withheld number."""
    if isinstance(value, str) and value.strip().lower() == WITHHELD:
        return WITHHELD
    number = normalise(value.strip()) if isinstance(value, str) else None
    if number is None:
        raise ValidationFailed(
            {field: "Enter the caller's number in E.164, like +14155550123, or anonymous."}
        )
    return number


def parse_moment(value: object, time_zone: str, field: str = "at") -> datetime:
    """An ISO 8601 time; without an offset it is read in the number's time zone. None: now."""
    if value in (None, ""):
        return utcnow()
    try:
        if not isinstance(value, str) or not value.isascii() or len(value) > 40:
            raise ValueError
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise ValidationFailed(
            {field: "A date and time like 2026-12-01T09:30 (in the number's time zone)."}
        ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=ZoneInfo(time_zone))
    return moment


def parse_roll(value: object, field: str = "roll") -> int | None:
    if value in (None, ""):
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 99:
        raise ValidationFailed({field: "A whole number from 0 to 99, or leave it out."})
    return value


def simulate_call(
    actor: Actor,
    number: PhoneNumber,
    caller: str,
    at: datetime,
    roll: int | None = None,
    send_webhook: bool = True,
) -> SimulatedCall:
    """Decide the call as if it rang now (or at `at`), probe a webhook, log it as a test.

    `roll` (0-99) fixes the split's draw, to see each side of it; else it is random."""
    actor.require(Permission.ASSIGN)
    routing = load_routing(number)
    draw = (lambda total: min(roll * total // 100, total - 1)) if roll is not None else None
    decision = decide(routing, caller, at, draw or random.randrange)
    probe, outcome, detail = None, decision.outcome, "Simulated: no real call was placed."
    place = decision.destination
    if place is not None and place.kind == "webhook" and send_webhook:
        assistant = decision.assistant
        event = {
            "type": "call.test",
            "timestamp": iso(utcnow()),
            "data": {
                "test": True,
                "from": caller,
                "to": number.phone_number,
                "phoneNumberId": number.id,
                "assistantId": assistant.assistant_id if assistant else None,
                "rule": decision.rule,
            },
        }
        secret = signing_secret(assistant.assistant_id if assistant else number.id)
        probe = send_test_event(place.address, secret, event)
        if not probe.ok:
            outcome = "fallback" if decision.fallback else "failed"
            detail = f"The webhook failed: {probe.error}"
        else:
            detail = f"The webhook answered {probe.status} in {probe.latency_ms} ms."
    call = record_call(
        number.team_id,
        number.id,
        number.phone_number,
        caller,
        decision,
        provider=current_provider().name,
        outcome=outcome,
        is_test=True,
        detail=detail,
    )
    call.answered_at = call.started_at if outcome in ("answered", "fallback") else None
    db.session.commit()
    return SimulatedCall(decision, routing, caller, at, probe, call)
