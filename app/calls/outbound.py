""" "Call me from this number": the number rings the user's phone and, once answered, hands
the call to the number's assistant, so a team hears its assistant speak from its number.

At Telnyx: `POST /calls` from the number to the phone with our state; its `call.answered`
transfers the call to the assistant (app.calls.events). In the sandbox nothing rings: the
call is logged as a simulated outbound call, so `make run` shows it.
"""

from __future__ import annotations

from app.accounts.roles import Actor, Permission
from app.calls.commands import encode_state
from app.calls.control import application_id, call_control
from app.exceptions import ValidationFailed
from app.extensions import db
from app.ids import new_id
from app.models import AssistantDestination, Call, NumberStatus, PhoneNumber, utcnow
from app.numbers.failures import provider_failure
from app.phone import normalise
from app.providers import current_provider
from app.providers.base import ProviderError

RING_SECONDS = 30


def parse_phone(value: object, field: str = "to") -> str:
    number = normalise(value.strip()) if isinstance(value, str) else None
    if number is None:
        raise ValidationFailed({field: "Enter your phone number in E.164, like +14155550123."})
    return number


def call_me(actor: Actor, number: PhoneNumber, to: str, field: str = "to") -> Call:
    """Ring `to` from the number, then hand the call to its assistant; the logged call."""
    actor.require(Permission.ASSIGN)
    if number.status != NumberStatus.ACTIVE:
        raise ValidationFailed({field: "Only an active number can place calls."})
    assistant = number.assistant
    place = db.session.get(AssistantDestination, assistant.id) if assistant else None
    if assistant is None or place is None or place.kind == "webhook":
        raise ValidationFailed(
            {
                field: "The number's assistant needs a SIP or phone destination to be called: "
                "set where it answers first."
            }
        )
    if to == number.phone_number:
        raise ValidationFailed({field: "Enter another number than this one."})
    calls = call_control()
    call = Call(
        id=new_id("call"),
        team_id=number.team_id,
        phone_number_id=number.id,
        number=number.phone_number,
        assistant_id=assistant.id,
        assistant_name=assistant.name,
        direction="outbound",
        from_number=number.phone_number,
        to_number=to,
        rule="assistant",
        destination=place.address,
        provider=current_provider().name,
        started_at=utcnow(),
    )
    if calls is None:
        call.outcome, call.is_test, call.control_state = "answered", True, "ended"
        call.answered_at = call.started_at
        call.detail = f"Simulated: {assistant.name} would call {to} from this number."
    else:
        try:
            leg = calls.dial(
                application_id() or "",
                to,
                number.phone_number,
                RING_SECONDS,
                encode_state(call.id, "callme"),
            )
        except ProviderError as error:
            db.session.rollback()
            raise provider_failure(error) from error
        call.provider_call_id, call.control_state = leg, "dialing"
        call.outcome = "failed"  # until it is answered and handed to the assistant
        call.detail = f"Calling {to}; {assistant.name} takes over once it is answered."
    db.session.add(call)
    db.session.commit()
    return call
