"""Every event type a team's webhook endpoints can take, in one place: its meaning, whether
it is sent yet, and the shape of its `data` (the OpenAPI document's `webhooks` section is
built from here, and so are the pages' checkboxes and the API's validation).

Each delivery's body follows the Standard Webhooks payload: {"type", "timestamp", "data"}.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

ID = {"type": "string"}
E164 = {"type": "string", "pattern": "^\\+[1-9][0-9]{6,14}$", "description": "E.164"}
TIME = {"type": "string", "format": "date-time"}
NULLABLE_TIME = {"type": ["string", "null"], "format": "date-time"}
NULLABLE_ID = {"type": ["string", "null"]}
NULLABLE_MONEY = {"type": ["string", "null"], "description": 'USD, like "1.00"; null: none'}


def _number(**more: Any) -> dict[str, Any]:
    properties = {"teamId": ID, "phoneNumberId": ID, "phoneNumber": E164, **more}
    return {"type": "object", "required": list(properties), "properties": properties}


@dataclass(frozen=True)
class EventType:
    name: str
    summary: str
    data: dict[str, Any]
    sent: bool = True  # False: documented and subscribable, never sent (its summary says why)
    example: dict[str, Any] = field(default_factory=dict)


_TYPES = [
    EventType(
        "number.bought",
        "A number was bought for the team (by Buy, an order, or an approved request); "
        "`status` is pending while the provider completes the order",
        _number(
            status={"enum": ["active", "pending"]},
            isTrial={"type": "boolean"},
            boughtBy=NULLABLE_ID,
        ),
    ),
    EventType(
        "number.active",
        "A number the team bought is active at the provider and takes calls",
        _number(isTrial={"type": "boolean"}, trialExpiresAt=NULLABLE_TIME),
    ),
    EventType(
        "number.released",
        "A number went back to the provider: released by a person (after its grace window "
        "when there is one), at the end of a trial (`status` expired), or by the over-limit "
        "sweep",
        _number(
            status={"enum": ["released", "expired"]},
            reason=NULLABLE_ID,
            scheduled={"type": "boolean"},
        ),
    ),
    EventType(
        "number.trial_expiring",
        "A trial number ends within a day (sent once per number, with the owners' reminder)",
        _number(trialExpiresAt=TIME),
    ),
    EventType(
        "number.routing_changed",
        "Who answers on a number changed: it was assigned to an assistant, moved, "
        "unassigned (assistantId null), or its routing rules changed (its page or PATCH "
        "routing; assistantId is then the number's single assistant, if any)",
        _number(assistantId=NULLABLE_ID, previousAssistantId=NULLABLE_ID),
    ),
    EventType(
        "number.health_changed",
        "Reserved, not sent: a number's health is read as a spam risk and a warm-up "
        "ramp, not graded ok/degraded/failing; a worsening is sent as `number.health_alert`",
        _number(
            health={"enum": ["ok", "degraded", "failing"]},
            previousHealth={"enum": ["ok", "degraded", "failing"]},
        ),
        sent=False,
    ),
    EventType(
        "number.health_alert",
        "A number's spam risk rose (to medium or high), or it placed more calls today than "
        "its warm-up ramp allows; sent once when that happens, not again while it lasts",
        _number(
            alert={"enum": ["risk", "ramp"]},
            risk={"enum": ["low", "medium", "high", "unknown"]},
            detail={"type": "string"},
            callsToday={"type": ["integer", "null"]},
            rampLimit={"type": ["integer", "null"]},
        ),
    ),
    EventType(
        "call.routed",
        "An inbound call on a number was answered and sent on: to the assistant routing "
        "chose, or to the fallback (assistantId null); not for a rejected call or a routing "
        "test. Sent for calls the provider routes through this app (Telnyx call control)",
        _number(callId=ID, assistantId=NULLABLE_ID, **{"from": {"type": "string"}}),
    ),
    EventType(
        "purchase_request.created",
        "A member's purchase is waiting for an owner's or admin's approval",
        {
            "type": "object",
            "required": [
                "teamId",
                "purchaseRequestId",
                "phoneNumber",
                "requestedBy",
                "monthlyPrice",
                "setupPrice",
                "heldUntil",
            ],
            "properties": {
                "teamId": ID,
                "purchaseRequestId": ID,
                "phoneNumber": E164,
                "requestedBy": NULLABLE_ID,
                "monthlyPrice": NULLABLE_MONEY,
                "setupPrice": NULLABLE_MONEY,
                "heldUntil": TIME,
            },
        },
    ),
    EventType(
        "plan.changed",
        "The team's plan changed (on the Plans page, by the billing provider, or by an operator)",
        {
            "type": "object",
            "required": ["teamId", "plan", "previousPlan", "via"],
            "properties": {
                "teamId": ID,
                "plan": {"type": "string"},
                "previousPlan": {"type": "string"},
                "via": {"type": ["string", "null"], "description": "The billing provider"},
            },
        },
    ),
]

# Subscribable event types, in the order pages and documents list them.
EVENT_TYPES: dict[str, EventType] = {event.name: event for event in _TYPES}
# Sent by "Send test event" to one endpoint, whatever it subscribes to; not subscribable.
TEST_EVENT = EventType(
    "webhook.test",
    "A test event, sent on request to one endpoint (not subscribable)",
    {
        "type": "object",
        "required": ["teamId", "endpointId", "message"],
        "properties": {"teamId": ID, "endpointId": ID, "message": {"type": "string"}},
    },
)


def not_sent() -> list[str]:
    return [name for name, event in EVENT_TYPES.items() if not event.sent]
