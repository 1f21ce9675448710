"""Call routing in the OpenAPI document: a number's `routing`, an assistant's `destination`,
the routing test and the call log."""

from __future__ import annotations

from typing import Any

from app.api.openapi.schemas import (
    ASSISTANT_ID,
    CURSOR,
    E164,
    ID,
    NULLABLE_STRING,
    NULLABLE_TIMESTAMP,
    NUMBER_ID,
    TEAM,
    TEAM_ID,
    TIMESTAMP,
    body,
    errors,
    obj,
    ok,
    path,
    query,
    ref,
)
from app.models.routing import DESTINATION_KINDS, FALLBACK_KINDS, OUTCOMES, PLATFORMS
from app.routing.engine import DAYS

ADDRESS = {"type": "string", "minLength": 1, "maxLength": 500, "pattern": "^[!-~]+$"}
CLOCK = {"type": "string", "pattern": "^(([01][0-9]|2[0-3]):[0-5][0-9]|24:00)$"}
PLACE = {
    "type": ["object", "null"],
    "description": "A phone number (E.164) or a SIP URI; null for none",
    "required": ["type", "address"],
    "properties": {"type": {"enum": list(FALLBACK_KINDS)}, "address": ADDRESS},
    "additionalProperties": False,
}
SPLIT = {
    "type": "array",
    "maxItems": 10,
    "description": "One assistant (weight 100, or left out), or a split whose weights sum to "
    "100; [] for none",
    "items": {
        "type": "object",
        "required": ["assistantId"],
        "properties": {
            "assistantId": ASSISTANT_ID,
            "weight": {"type": "integer", "minimum": 1, "maximum": 100},
            "name": {"type": "string", "readOnly": True},
            "hasDestination": {"type": "boolean", "readOnly": True},
        },
    },
}
INBOUND = obj(
    [],
    assistants=SPLIT,
    fallback={
        **PLACE,
        "description": "Where calls go when the assistant has no destination, "
        "does not answer in answerTimeoutSeconds, or the transfer fails",
    },
    answerTimeoutSeconds={"type": "integer", "minimum": 5, "maximum": 120},
    blocklist={
        "type": "array",
        "maxItems": 200,
        "items": {"type": "string", "pattern": r"^\+[1-9][0-9]{0,14}$"},
        "description": "Callers rejected: E.164 numbers, or prefixes such as +1900",
    },
    allowedCountries={
        "type": "array",
        "items": {"type": "string", "pattern": "^[A-Z]{2}$"},
        "description": "Countries callers may call from (ISO 3166-1 alpha-2); [] for all",
    },
    timeZone={"type": "string", "maxLength": 64, "description": "IANA name, e.g. Europe/Paris"},
    hours={
        "type": "array",
        "maxItems": 28,
        "description": "Opening hours in timeZone (end excluded; no overlaps); [] for always",
        "items": obj(["day", "start", "end"], day={"enum": list(DAYS)}, start=CLOCK, end=CLOCK),
    },
    afterHours={**PLACE, "description": "Where calls go outside the hours (else the fallback)"},
)
INBOUND["additionalProperties"] = False
OUTBOUND = obj(
    [],
    assistantIds={
        "type": ["array", "null"],
        "items": ASSISTANT_ID,
        "description": "Assistants that may use the number as caller ID; null: its inbound ones",
    },
    teamDefault={"type": "boolean", "description": "The team's default caller ID (one number)"},
)
OUTBOUND["additionalProperties"] = False

DESTINATION = {
    "type": ["object", "null"],
    "description": "Where the assistant answers: a SIP URI (its platform's), a phone number "
    "calls are forwarded to, or an https webhook; null clears it",
    "properties": {
        "type": {"enum": list(DESTINATION_KINDS)},
        "address": ADDRESS,
        "sipUsername": {"type": ["string", "null"], "maxLength": 200},
        "sipPassword": {
            "type": ["string", "null"],
            "maxLength": 200,
            "description": "Write-only: stored encrypted, answered as •••••••• when set",
        },
        "platform": {"enum": [*PLATFORMS, None]},
        "platformId": {"type": ["string", "null"], "maxLength": 200},
        "signingSecret": {
            "type": "string",
            "readOnly": True,
            "description": "Webhooks only, to those who manage assistants: the whsec_ secret "
            "the routing test's events are signed with (Standard Webhooks)",
        },
    },
}
PLACE_SHOWN = {
    "anyOf": [
        {"type": "null"},
        obj(["type", "address"], type={"type": "string"}, address={"type": "string"}),
    ]
}

ROUTING_SCHEMAS: dict[str, Any] = {
    "Routing": obj(["inbound", "outbound"], inbound=INBOUND, outbound=OUTBOUND),
    "RoutingShown": obj(
        ["inbound", "outbound"],
        inbound=INBOUND,
        outbound={
            **OUTBOUND,
            "additionalProperties": True,
            "properties": {
                **OUTBOUND["properties"],
                "callers": {
                    "type": "array",
                    "items": obj(["assistantId", "name"], assistantId=ID, name={"type": "string"}),
                },
            },
        },
    ),
    "Destination": DESTINATION,
    "NumberWithRouting": {
        "allOf": [ref("NumberRow"), obj(["routing"], routing=ref("RoutingShown"))]
    },
    "NumberRoutingResponse": obj(
        ["success", "phoneNumber"], success={"const": True}, phoneNumber=ref("NumberWithRouting")
    ),
    "CallMeRequest": obj(
        ["teamId", "to"],
        teamId=TEAM_ID,
        to={**E164, "description": "Your phone: it rings from the number"},
    ),
    "CallMeResponse": obj(["success", "call"], success={"const": True}, call=ref("Call")),
    "TestCallRequest": obj(
        ["teamId", "from"],
        teamId=TEAM_ID,
        **{"from": {"anyOf": [E164, {"const": "anonymous"}], "description": "The caller"}},
        at={
            "type": "string",
            "maxLength": 40,
            "description": "ISO 8601; without an offset, in the number's time zone; default now",
        },
        roll={
            "type": "integer",
            "minimum": 0,
            "maximum": 99,
            "description": "Fixes the split's draw (0-99); default random",
        },
        sendWebhook={"type": "boolean", "description": "Send the signed test event (default true)"},
    ),
    "TestCallResponse": obj(
        ["success", "test"],
        success={"const": True},
        test=obj(
            ["from", "at", "timeZone", "decision", "webhook", "outcome", "call"],
            **{"from": {"type": "string"}},
            at=TIMESTAMP,
            timeZone={"type": "string"},
            decision=obj(
                ["action", "outcome", "rule", "assistant", "destination", "fallback", "steps"],
                action={"enum": ["transfer", "reject"]},
                outcome={"enum": list(OUTCOMES)},
                rule={"enum": ["blocklist", "country", "hours", "split", "assistant", "none"]},
                assistant={
                    "anyOf": [{"type": "null"}, obj(["id", "name"], id=ID, name={"type": "string"})]
                },
                destination=PLACE_SHOWN,
                fallback=PLACE_SHOWN,
                answerTimeoutSeconds={"type": "integer"},
                steps={
                    "type": "array",
                    "items": obj(
                        ["rule", "matched", "detail"],
                        rule={"type": "string"},
                        matched={"type": "boolean"},
                        detail={"type": "string"},
                    ),
                },
            ),
            webhook={
                "anyOf": [
                    {"type": "null"},
                    obj(
                        ["url", "status", "latencyMs", "answer", "error"],
                        url={"type": "string"},
                        status={"type": ["integer", "null"]},
                        latencyMs={"type": "integer"},
                        answer={"type": "string"},
                        error=NULLABLE_STRING,
                    ),
                ]
            },
            outcome={"enum": list(OUTCOMES)},
            call=ref("Call"),
        ),
    ),
    "Call": obj(
        [
            "id",
            "teamId",
            "phoneNumberId",
            "number",
            "direction",
            "from",
            "to",
            "assistantId",
            "assistantName",
            "outcome",
            "rule",
            "destination",
            "test",
            "startedAt",
            "durationSeconds",
        ],
        id=ID,
        teamId=ID,
        phoneNumberId=NULLABLE_STRING,
        number={"type": "string"},
        direction={"enum": ["inbound", "outbound"]},
        to={"type": "string"},
        assistantId=NULLABLE_STRING,
        assistantName=NULLABLE_STRING,
        outcome={"enum": list(OUTCOMES)},
        rule=NULLABLE_STRING,
        destination=NULLABLE_STRING,
        provider={"type": "string"},
        providerCallId=NULLABLE_STRING,
        test={"type": "boolean", "description": "A routing test, not a real call"},
        startedAt=TIMESTAMP,
        answeredAt=NULLABLE_TIMESTAMP,
        endedAt=NULLABLE_TIMESTAMP,
        durationSeconds={"type": ["integer", "null"]},
        detail=NULLABLE_STRING,
        **{"from": {"type": "string"}},
    ),
    "CallList": obj(
        ["success", "calls", "count", "nextCursor"],
        success={"const": True},
        calls={"type": "array", "items": ref("Call")},
        count={"type": "integer", "minimum": 0},
        nextCursor=NULLABLE_STRING,
    ),
}

CALL_FILTERS = [
    {**query("phoneNumberId", "Only calls to this number", False), "schema": NUMBER_ID},
    {**query("assistantId", "Only calls routed to this assistant", False), "schema": ASSISTANT_ID},
    {**query("outcome", "Only calls with this outcome", False), "schema": {"enum": list(OUTCOMES)}},
    {
        **query("test", "true: routing tests only; false: real calls only", False),
        "schema": {"enum": ["true", "false"]},
    },
    {
        **query("since", "Only calls from this time on (ISO 8601 with its zone)", False),
        "schema": {"type": "string", "maxLength": 40},
    },
]
INCLUDE = {
    **query(
        "include", "routing: add each item's routing (left out, the answer is as before)", False
    ),
    "schema": {"const": "routing"},
}

ROUTING_PATHS: dict[str, Any] = {
    "/api/phone-numbers/{numberId}/test-call": {
        "parameters": [path("numberId", NUMBER_ID)],
        "post": {
            "operationId": "testRouting",
            "summary": "Where a call from `from` at `at` would go, rule by rule; a webhook "
            "destination gets a signed test event (5 s timeout). Logged as a test call",
            "requestBody": body("TestCallRequest"),
            "responses": {**ok("TestCallResponse"), **errors(403, 404)},
        },
    },
    "/api/phone-numbers/{numberId}/call-me": {
        "parameters": [path("numberId", NUMBER_ID)],
        "post": {
            "operationId": "callMe",
            "summary": "Ring `to` from the number; answered, the call goes to the number's "
            "assistant (at Telnyx: POST /v2/calls, then a transfer). In the sandbox the call is "
            "only logged",
            "requestBody": body("CallMeRequest"),
            "responses": {**ok("CallMeResponse", status="201"), **errors(400, 403, 404, 502)},
        },
    },
    "/api/calls": {
        "get": {
            "operationId": "listCalls",
            "summary": "The team's routed calls (and routing tests), newest first",
            "parameters": [
                TEAM,
                {
                    "name": "limit",
                    "in": "query",
                    "required": False,
                    "description": "Page size (1-200, default 50)",
                    "schema": {"type": "integer", "minimum": 1, "maximum": 200},
                },
                CURSOR,
                *CALL_FILTERS,
            ],
            "responses": {**ok("CallList"), **errors(400, 404)},
        }
    },
    "/api/calls/export": {
        "get": {
            "operationId": "exportCalls",
            "summary": "Every call the filters keep, as CSV",
            "parameters": [TEAM, *CALL_FILTERS],
            "responses": {
                "200": {
                    "description": "CSV: started_at, number, from, to, assistant, outcome, rule, "
                    "destination, duration_seconds, test, provider_call_id",
                    "content": {"text/csv": {"schema": {"type": "string"}}},
                },
                **errors(400, 404),
            },
        }
    },
}
