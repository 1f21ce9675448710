"""Commanding calls at Telnyx for the call log's calls: the state each command carries, and
the answer, transfer, reject and hang-up of one routed call.

Every command's `command_id` is derived from the event that caused it, so a retried event
sends the same ids and Telnyx ignores the repeats. `client_state` names our call and the leg
(`caller`, the `target` an assistant answers on, the `fallback` leg, the `callme` leg of
"Call me from this number"); Telnyx echoes it in that leg's later events.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass

from app.phone import canonical
from app.routing.destinations import Destination

LEGS = frozenset({"caller", "target", "fallback", "callme"})
MAX_STATE = 400


@dataclass(frozen=True)
class LegState:
    call_id: str
    leg: str


def encode_state(call_id: str, leg: str) -> str:
    return base64.b64encode(json.dumps({"c": call_id, "l": leg}).encode()).decode()


def decode_state(value: object) -> LegState | None:
    """Our state from an event's `client_state`; None if absent or not ours."""
    if not isinstance(value, str) or not value or len(value) > MAX_STATE:
        return None
    try:
        data = json.loads(base64.b64decode(value, validate=True))
    except (ValueError, binascii.Error, RecursionError):
        return None
    if (
        not isinstance(data, dict)
        or not isinstance(data.get("c"), str)
        or data.get("l") not in LEGS
    ):
        return None
    return LegState(data["c"], data["l"])


def transfer_body(
    place: Destination,
    *,
    caller: str | None,
    timeout: int,
    command_id: str,
    call_id: str,
    own_leg: str,
    new_leg: str,
) -> dict:
    """`actions/transfer` to a SIP URI or a phone number, presenting the caller's number
    (when it is one) so the assistant sees who calls."""
    body = {
        "to": place.address,
        "timeout_secs": max(5, min(timeout, 120)),  # Telnyx's bounds for timeout_secs
        "command_id": command_id,
        "client_state": encode_state(call_id, own_leg),
        "target_leg_client_state": encode_state(call_id, new_leg),
    }
    if caller and canonical(caller):
        body["from"] = canonical(caller)
    if place.kind == "sip" and place.sip_username:
        body["sip_auth_username"] = place.sip_username
        if place.sip_password:
            body["sip_auth_password"] = place.sip_password
    return body
