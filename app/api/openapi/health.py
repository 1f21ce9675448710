"""A number's health in the OpenAPI document: the card, Rest and Wake."""

from __future__ import annotations

from typing import Any

from app.api.openapi.schemas import (
    NULLABLE_STRING,
    NULLABLE_TIMESTAMP,
    NUMBER_ID,
    TEAM,
    TEAM_ID,
    body,
    errors,
    obj,
    ok,
    path,
    ref,
)
from app.health.rest import MAX_DAYS, MIN_DAYS
from app.models.health import CHECK_OUTCOMES, RISKS

RISK = {"enum": list(RISKS)}
NULLABLE_OUTCOME = {"enum": [*CHECK_OUTCOMES, None]}
COUNT = {"type": "integer", "minimum": 0}

HEALTH_SCHEMAS: dict[str, Any] = {
    "NumberHealth": obj(
        [
            "phoneNumberId",
            "ageDays",
            "since",
            "calls",
            "attestation",
            "callerName",
            "spamRisk",
            "alert",
            "restUntil",
            "history",
        ],
        phoneNumberId=NUMBER_ID,
        ageDays={"type": "integer", "minimum": 1, "description": "Day 1: its first 24 hours"},
        since=NULLABLE_TIMESTAMP,
        calls=obj(
            ["today", "source", "rampLimit", "rampStage", "overRamp"],
            today=COUNT,
            source={
                "enum": ["call_log", "campaign", "none"],
                "description": "Outbound calls in the call log today (UTC), else the campaign "
                "selector's count",
            },
            rampLimit={
                "type": "integer",
                "minimum": 1,
                "description": "Calls a day its age allows",
            },
            rampStage={"type": "string"},
            overRamp={"type": "boolean"},
        ),
        attestation=obj(
            ["expected", "why"],
            expected={"enum": ["A", "B", "C", None]},
            why={"type": "string"},
        ),
        callerName={"type": "string", "description": "The caller-ID name (CNAM) it shows"},
        spamRisk=obj(
            ["risk", "category", "outcome", "checkedAt"],
            risk=RISK,
            category=NULLABLE_STRING,
            outcome=NULLABLE_OUTCOME,
            checkedAt=NULLABLE_TIMESTAMP,
        ),
        alert={
            "type": ["object", "null"],
            "required": ["kind", "detail", "at"],
            "properties": {
                "kind": {"enum": ["risk", "ramp"]},
                "detail": NULLABLE_STRING,
                "at": NULLABLE_TIMESTAMP,
            },
            "additionalProperties": False,
        },
        restUntil={
            **NULLABLE_TIMESTAMP,
            "description": "Campaigns skip the number until then; null: not resting",
        },
        history={
            "type": "array",
            "maxItems": 10,
            "items": obj(
                ["checkedAt", "outcome", "risk", "category", "detail"],
                checkedAt=NULLABLE_TIMESTAMP,
                outcome={"enum": list(CHECK_OUTCOMES)},
                risk=RISK,
                category=NULLABLE_STRING,
                detail=NULLABLE_STRING,
            ),
        },
    ),
    "NumberHealthResponse": obj(
        ["success", "health"], success={"const": True}, health=ref("NumberHealth")
    ),
    "RestRequest": obj(
        ["teamId"],
        teamId=TEAM_ID,
        days={"type": "integer", "minimum": MIN_DAYS, "maximum": MAX_DAYS, "default": 7},
    ),
    "WakeRequest": obj(["teamId"], teamId=TEAM_ID),
    "WakeResponse": obj(
        ["success", "woke", "health"],
        success={"const": True},
        woke={"type": "boolean", "description": "false: it was not resting"},
        health=ref("NumberHealth"),
    ),
}

HEALTH_PATHS: dict[str, Any] = {
    "/api/phone-numbers/{numberId}/health": {
        "parameters": [path("numberId", NUMBER_ID)],
        "get": {
            "operationId": "getNumberHealth",
            "summary": "The number's health card: age, calls today against its warm-up ramp, "
            "expected STIR/SHAKEN attestation, caller-ID name, spam risk and its history, "
            "the open alert and any rest",
            "parameters": [TEAM],
            "responses": {**ok("NumberHealthResponse"), **errors(404)},
        },
    },
    "/api/phone-numbers/{numberId}/rest": {
        "parameters": [path("numberId", NUMBER_ID)],
        "post": {
            "operationId": "restNumber",
            "summary": "Rest the number: campaigns' caller-ID choice skips it for `days` "
            "(a second rest replaces the first)",
            "requestBody": body("RestRequest"),
            "responses": {**ok("NumberHealthResponse"), **errors(403, 404)},
        },
    },
    "/api/phone-numbers/{numberId}/wake": {
        "parameters": [path("numberId", NUMBER_ID)],
        "post": {
            "operationId": "wakeNumber",
            "summary": "End the number's rest now",
            "requestBody": body("WakeRequest"),
            "responses": {**ok("WakeResponse"), **errors(403, 404)},
        },
    },
}
