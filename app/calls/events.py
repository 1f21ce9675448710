"""Routing real calls at Telnyx from their events: `call.initiated` is decided by the engine
and answered, transferred or rejected; `call.bridged`, `call.hangup` and `call.answered`
move the call on (the fallback when the assistant's leg fails, the call log's times).

Each event is applied once (its id is kept in webhook_events with the call it changed); a
command Telnyx refuses because the call has ended (422) is logged, not retried; Telnyx
being down is raised, so the event is answered 503 and delivered again (with the same
command ids, so nothing is done twice).
"""

from __future__ import annotations

import logging
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from app import events
from app.calls.commands import LegState, decode_state, encode_state, transfer_body
from app.calls.control import call_control
from app.calls.log import record_call
from app.events import payloads
from app.extensions import db
from app.ids import new_id
from app.models import HELD, Call, PhoneNumber, WebhookEvent, utcnow
from app.phone import canonical
from app.providers.telnyx.calls import CallEnded
from app.routing.destinations import Destination
from app.routing.engine import decide
from app.routing.store import load_routing

log = logging.getLogger(__name__)
PROVIDER = "telnyx"
HANDLED = frozenset({"call.initiated", "call.answered", "call.bridged", "call.hangup"})
NO_WEBHOOK_TRANSFER = "a webhook destination takes no transferred calls"


def apply_event(event: dict) -> str:
    """Apply one verified event (its `data`); what was done, in a word or two."""
    event_type = str(event.get("event_type") or "")
    if event_type not in HANDLED:
        return "ignored"
    if db.session.get(WebhookEvent, (PROVIDER, event["id"])) is not None:
        return "duplicate"
    payload = event.get("payload") if isinstance(event.get("payload"), dict) else {}
    at = _moment(event.get("occurred_at"))
    state = decode_state(payload.get("client_state"))
    if event_type == "call.initiated":
        done = _initiated(event["id"], payload, at)
    elif event_type == "call.answered":
        done = _answered(event["id"], state, payload)
    elif event_type == "call.bridged":
        done = _bridged(state, at)
    else:
        done = _hangup(event["id"], state, payload, at)
    db.session.add(WebhookEvent(provider=PROVIDER, event_id=event["id"], event_type=event_type))
    try:
        db.session.commit()
    except IntegrityError:  # the same event applied by another worker a moment ago
        db.session.rollback()
        return "duplicate"
    return done


# -- call.initiated: decide, then answer and transfer, or reject ---------------------------


def _initiated(event_id: str, payload: dict, at: datetime) -> str:
    if payload.get("direction") != "incoming":
        return "ignored"  # our own outbound call (Call me) starting
    call_control_id = str(payload.get("call_control_id") or "")
    if not call_control_id or _call_by_leg(call_control_id) is not None:
        return "duplicate"  # already routed, or it ended before this delivery came
    number = _number_called(payload.get("to"))
    if number is None:
        _command(call_control_id, "reject", {"cause": "CALL_REJECTED", "command_id": event_id})
        return "rejected: not our number"
    caller = str(payload.get("from") or "anonymous")[:40]
    routing = load_routing(number, with_passwords=True)
    decision = decide(routing, caller, at)
    call_id = new_id("call")
    place, fallback, detail = decision.destination, decision.fallback, None
    if place is not None and place.kind == "webhook":
        detail = f"The assistant's destination is a webhook: {NO_WEBHOOK_TRANSFER}."
        place, fallback = routing.fallback, None
    call = record_call(
        number.team_id,
        number.id,
        number.phone_number,
        caller,
        decision,
        provider=PROVIDER,
        provider_call_id=call_control_id,
        outcome=decision.outcome if place is decision.destination else "fallback",
        detail=detail,
        started_at=at,
    )
    call.id = call_id
    if place is None:
        call.outcome = decision.outcome if decision.action == "reject" else "no_destination"
        call.control_state = "ended"
        cause = "CALL_REJECTED" if decision.outcome == "rejected" else "USER_BUSY"
        ended = not _command(
            call_control_id, "reject", {"cause": cause, "command_id": f"{event_id}:reject"}
        )
        return "rejected" + (" (already ended)" if ended else "")
    call.destination = place.address
    call.fallback_kind = fallback.kind if fallback else None
    call.fallback_address = fallback.address if fallback else None
    call.control_state = "transferring"
    answer = {"command_id": f"{event_id}:answer", "client_state": encode_state(call_id, "caller")}
    body = transfer_body(
        place,
        caller=caller,
        timeout=routing.answer_timeout,
        command_id=f"{event_id}:transfer",
        call_id=call_id,
        own_leg="caller",
        new_leg="target",
    )
    if not _command(call_control_id, "answer", answer):
        return _ended_early(call)
    if not _command(call_control_id, "transfer", body):
        return _ended_early(call)
    # Announced once the call is on its way (a rejected call, or one that ended first, is not
    # routed); it commits with the call's row, so a redelivered call.initiated sends no second.
    assistant = decision.assistant if place is decision.destination else None
    events.emit(
        number.team_id,
        "call.routed",
        payloads.number(
            number,
            callId=call_id,
            assistantId=assistant.assistant_id if assistant else None,
            **{"from": caller},
        ),
    )
    return "transferred"


def _ended_early(call: Call) -> str:
    call.outcome, call.control_state = "failed", "ended"
    call.detail = "The caller hung up before the call could be sent on."
    return "ended before it was sent on"


# -- call.answered: "Call me" picked up: send it to the assistant ---------------------------


def _answered(event_id: str, state: LegState | None, payload: dict) -> str:
    if state is None or state.leg != "callme":
        return "ignored"  # our answer of an inbound call, or someone else's call
    call = db.session.get(Call, state.call_id)
    if call is None or call.control_state != "dialing":
        return "ignored"
    place = _assistant_place(call)
    if place is None:
        call.outcome, call.control_state = "no_destination", "ended"
        _command(call.provider_call_id or "", "hangup", {"command_id": f"{event_id}:hangup"})
        return "no destination"
    body = transfer_body(
        place,
        caller=call.number,
        timeout=30,
        command_id=f"{event_id}:transfer",
        call_id=call.id,
        own_leg="callme",
        new_leg="target",
    )
    call.control_state, call.outcome = "transferring", "answered"
    if not _command(call.provider_call_id or "", "transfer", body):
        call.outcome, call.control_state = "failed", "ended"
        return "ended before it was sent on"
    return "transferred"


def _assistant_place(call: Call) -> Destination | None:
    from app.models import AssistantDestination
    from app.routing.answering import destination_of

    if call.assistant_id is None:
        return None
    place = destination_of(
        db.session.get(AssistantDestination, call.assistant_id), with_password=True
    )
    return place if place is not None and place.kind != "webhook" else None


# -- call.bridged and call.hangup -----------------------------------------------------------


def _bridged(state: LegState | None, at: datetime) -> str:
    call = db.session.get(Call, state.call_id) if state else None
    if call is None:
        return "ignored"
    if call.answered_at is None:
        call.answered_at = at
    if call.control_state in ("transferring", "fallback"):
        call.control_state = "bridged"
    return "bridged"


def _hangup(event_id: str, state: LegState | None, payload: dict, at: datetime) -> str:
    call = db.session.get(Call, state.call_id) if state else None
    leg_id = str(payload.get("call_control_id") or "")
    if call is None:
        call = _call_by_leg(leg_id) if leg_id else None
        if call is None:
            return _ended_unrouted(leg_id, payload, at)
    cause = str(payload.get("hangup_cause") or "unknown")[:40]
    far_leg = leg_id != call.provider_call_id and state is not None
    if far_leg and state.leg == "target" and call.control_state == "transferring":
        return _to_fallback(event_id, call, cause)
    if far_leg and state.leg == "fallback" and call.control_state == "fallback":
        call.outcome, call.control_state = "failed", "ended"
        call.detail = f"The fallback did not answer either ({cause})."
        _command(call.provider_call_id or "", "hangup", {"command_id": f"{event_id}:hangup"})
        return "failed"
    if far_leg:
        return "leg ended"
    # The caller's leg (or the dialled leg of Call me) ended: the call is over.
    if call.control_state in ("transferring", "fallback", "dialing") and call.answered_at is None:
        call.outcome = "failed"
        call.detail = f"Ended before anyone answered ({cause})."
    call.control_state = "ended"
    call.ended_at = at
    if call.answered_at is not None:
        call.duration_seconds = max(0, int((at - call.answered_at).total_seconds()))
    return "ended"


def _to_fallback(event_id: str, call: Call, cause: str) -> str:
    """The assistant's leg failed or was not answered in time: the fallback, if any."""
    if not call.fallback_address or not call.fallback_kind:
        call.outcome, call.control_state = "failed", "ended"
        call.detail = f"The assistant did not answer ({cause}) and there is no fallback."
        _command(call.provider_call_id or "", "hangup", {"command_id": f"{event_id}:hangup"})
        return "failed"
    place = Destination(call.fallback_kind, call.fallback_address)
    number = db.session.get(PhoneNumber, call.phone_number_id) if call.phone_number_id else None
    timeout = load_routing(number).answer_timeout if number else 20
    body = transfer_body(
        place,
        caller=call.from_number,
        timeout=timeout,
        command_id=f"{event_id}:fallback",
        call_id=call.id,
        own_leg="caller",
        new_leg="fallback",
    )
    call.outcome, call.control_state, call.destination = "fallback", "fallback", place.address
    call.detail = f"The assistant did not answer ({cause}): sent to the fallback."
    if not _command(call.provider_call_id or "", "transfer", body):
        call.outcome, call.control_state = "failed", "ended"
        call.detail = f"The assistant did not answer ({cause}); the caller had hung up."
        return "ended"
    return "fallback"


def _ended_unrouted(leg_id: str, payload: dict, at: datetime) -> str:
    """A hangup delivered before (or without) its call.initiated: log it as ended, so a late
    call.initiated finds it and sends no command."""
    number = _number_called(payload.get("to"))
    if number is None or not leg_id or payload.get("direction") not in (None, "incoming"):
        return "ignored"
    db.session.add(
        Call(
            team_id=number.team_id,
            phone_number_id=number.id,
            number=number.phone_number,
            direction="inbound",
            from_number=str(payload.get("from") or "anonymous")[:40],
            to_number=number.phone_number,
            outcome="failed",
            provider=PROVIDER,
            provider_call_id=leg_id,
            started_at=at,
            ended_at=at,
            control_state="ended",
            detail="The caller hung up before the call was routed.",
        )
    )
    return "ended before it was routed"


# -- inside -------------------------------------------------------------------------------


def _command(call_control_id: str, action: str, body: dict) -> bool:
    """Send a command; False if Telnyx says the call has ended (other failures raise)."""
    calls = call_control()
    if calls is None or not call_control_id:
        return False
    try:
        calls.command(call_control_id, action, body)
    except CallEnded as ended:
        log.info("%s on %s: %s", action, call_control_id, ended.message)
        return False
    return True


def _call_by_leg(call_control_id: str) -> Call | None:
    return db.session.scalar(
        sa.select(Call).where(Call.provider == PROVIDER, Call.provider_call_id == call_control_id)
    )


def _number_called(to: object) -> PhoneNumber | None:
    number = canonical(to) if isinstance(to, str) else None
    if number is None:
        return None
    return db.session.scalar(
        sa.select(PhoneNumber).where(
            PhoneNumber.phone_number == number,
            PhoneNumber.provider == PROVIDER,
            PhoneNumber.status.in_(HELD),
        )
    )


def _moment(value: object) -> datetime:
    if isinstance(value, str) and len(value) <= 40:
        try:
            moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return utcnow()
        if moment.tzinfo is not None:
            return moment
    return utcnow()
