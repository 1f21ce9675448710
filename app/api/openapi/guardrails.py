"""The spending guardrails in the OpenAPI document: a team's cap and approvals, and purchase
requests (listed, approved, denied). A purchase or order that waits for approval answers 202:
only a team that turned approvals on ever sees it."""

from __future__ import annotations

from typing import Any

from app.api.openapi.orders import NULLABLE_MONEY
from app.api.openapi.schemas import (
    IDEMPOTENCY_KEY,
    MONEY,
    NULLABLE_STRING,
    NULLABLE_TIMESTAMP,
    SCHEMAS,
    TEAM,
    TEAM_ID,
    TIMESTAMP,
    body,
    errors,
    id_of,
    obj,
    ok,
    path,
    query,
    ref,
)
from app.guardrails.requests import MAX_NOTE, STATUSES
from app.guardrails.settings import AMOUNT_PATTERN

REQUEST_ID = id_of("preq")
AMOUNT = {
    "type": ["string", "null"],
    "pattern": AMOUNT_PATTERN,
    "description": 'USD, 0.01 to 1000000.00, at most two decimals ("50.00"); null or "": none',
}
PERSON = {
    "type": ["object", "null"],
    "required": ["id", "email", "name"],
    "properties": {
        "id": {"type": "string"},
        "email": {"type": "string"},
        "name": {"type": "string"},
    },
}

GUARDRAIL_SCHEMAS: dict[str, Any] = {
    "Guardrails": obj(
        ["monthlySpendCap", "approvalRequired", "approvalAbove"],
        monthlySpendCap={
            **NULLABLE_MONEY,
            "description": "Setup and first month of the numbers "
            "bought this calendar month (UTC), at most; null: no cap",
        },
        approvalRequired={
            "type": "boolean",
            "description": "Members' purchases need an owner's "
            "or admin's approval (their Buy answers 202 with a request)",
        },
        approvalAbove={
            **NULLABLE_MONEY,
            "description": "With approvals on, only a purchase that "
            "takes this month's spend past this amount waits; null: every one",
        },
    ),
    "GuardrailsUpdate": {
        **obj(
            [],
            monthlySpendCap=AMOUNT,
            approvalRequired={"type": "boolean"},
            approvalAbove=AMOUNT,
        ),
        "description": "What is sent changes; what is not stays as it is",
        "anyOf": [
            {"required": ["monthlySpendCap"]},
            {"required": ["approvalRequired"]},
            {"required": ["approvalAbove"]},
        ],
    },
    "GuardrailsResponse": obj(
        ["success", "teamId", "guardrails", "spending"],
        success={"const": True},
        teamId=TEAM_ID,
        guardrails=ref("Guardrails"),
        spending=obj(
            ["month", "spent", "left", "unpriced"],
            month={"type": "string", "pattern": "^[0-9]{4}-[0-9]{2}$"},
            spent={**MONEY, "description": "Setup and first month of this month's numbers"},
            left={**NULLABLE_MONEY, "description": "What the cap leaves (null: no cap)"},
            unpriced={
                "type": "integer",
                "minimum": 0,
                "description": "Numbers bought this month with no quoted price: not in spent",
            },
        ),
    ),
    "PurchaseRequestRecord": obj(
        [
            "id",
            "teamId",
            "phoneNumber",
            "region",
            "features",
            "monthlyPrice",
            "setupPrice",
            "status",
            "heldUntil",
            "requestedBy",
            "createdAt",
            "decidedBy",
            "decidedAt",
            "reason",
            "phoneNumberId",
        ],
        id=REQUEST_ID,
        teamId=TEAM_ID,
        phoneNumber={"type": "string"},
        region=NULLABLE_STRING,
        features={"type": "array", "items": {"type": "string"}},
        monthlyPrice=NULLABLE_MONEY,
        setupPrice=NULLABLE_MONEY,
        status={"enum": list(STATUSES), "description": "expired: its hold ended undecided"},
        heldUntil={**TIMESTAMP, "description": "The number is held for the team until then"},
        requestedBy=PERSON,
        createdAt=TIMESTAMP,
        decidedBy=PERSON,
        decidedAt=NULLABLE_TIMESTAMP,
        reason={**NULLABLE_STRING, "description": "Why it failed, or the note it was denied with"},
        phoneNumberId={**NULLABLE_STRING, "description": "The number bought on approval"},
    ),
    "PurchaseRequested": obj(
        ["success", "request"],
        success={"const": True},
        request=ref("PurchaseRequestRecord"),
        message={"type": "string"},
    ),
    "PurchaseRequestList": obj(
        ["success", "requests", "count"],
        success={"const": True},
        requests={"type": "array", "items": ref("PurchaseRequestRecord")},
        count={"type": "integer", "minimum": 0},
    ),
    "ApproveBody": obj(["teamId"], teamId=TEAM_ID),
    "DenyBody": obj(
        ["teamId"],
        teamId=TEAM_ID,
        note={"type": ["string", "null"], "maxLength": MAX_NOTE, "pattern": "^[^\\u0000]*$"},
    ),
    "Approved": obj(
        ["success", "phoneNumber", "eligibility", "request"],
        success={"const": True},
        phoneNumber=SCHEMAS["PurchaseResponse"]["properties"]["phoneNumber"],
        eligibility=ref("Eligibility"),
        request=ref("PurchaseRequestRecord"),
    ),
    "Denied": obj(
        ["success", "request"], success={"const": True}, request=ref("PurchaseRequestRecord")
    ),
    "SpendCapError": {
        "allOf": [
            ref("Error"),
            obj(
                ["spending"],
                spending=obj(
                    ["cap", "spent", "thisPurchase"],
                    cap=MONEY,
                    spent=MONEY,
                    thisPurchase={**NULLABLE_MONEY, "description": "null: no quoted price"},
                ),
            ),
        ]
    },
}

WAITS = {"description": "Sent for approval (the team's approvals are on): nothing bought yet"}

GUARDRAIL_PATHS: dict[str, Any] = {
    "/api/teams/{teamId}/guardrails": {
        "parameters": [path("teamId", TEAM_ID)],
        "get": {
            "operationId": "getGuardrails",
            "summary": "The team's monthly spend cap and approvals, and this month's spend",
            "responses": {**ok("GuardrailsResponse"), **errors(404)},
        },
        "patch": {
            "operationId": "setGuardrails",
            "summary": "Change the team's guardrails (owners)",
            "requestBody": body("GuardrailsUpdate"),
            "responses": {**ok("GuardrailsResponse"), **errors(403, 404)},
        },
    },
    "/api/purchase-requests": {
        "get": {
            "operationId": "listPurchaseRequests",
            "summary": "Purchase requests, newest first: all of the team's for owners and "
            "admins, a member's own for a member",
            "parameters": [
                TEAM,
                {
                    **query("status", "Only requests in this state", False),
                    "schema": {"enum": list(STATUSES)},
                },
                {
                    **query("limit", "How many at most (1-200, default 50)", False),
                    "schema": {"type": "integer", "minimum": 1, "maximum": 200},
                },
            ],
            "responses": {**ok("PurchaseRequestList"), **errors(404)},
        }
    },
    "/api/purchase-requests/{requestId}/approve": {
        "parameters": [path("requestId", REQUEST_ID)],
        "post": {
            "operationId": "approvePurchaseRequest",
            "summary": "Buy what the request asks for, once, in the asker's name (owners, admins)",
            "parameters": [IDEMPOTENCY_KEY],
            "requestBody": body("ApproveBody"),
            "responses": {**ok("Approved"), **errors(403, 404, 409, 422, 502, 504)},
        },
    },
    "/api/purchase-requests/{requestId}/deny": {
        "parameters": [path("requestId", REQUEST_ID)],
        "post": {
            "operationId": "denyPurchaseRequest",
            "summary": "Refuse the request and drop its hold (owners, admins)",
            "requestBody": body("DenyBody"),
            "responses": {**ok("Denied"), **errors(403, 404, 409)},
        },
    },
}
