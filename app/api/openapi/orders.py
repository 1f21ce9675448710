"""Orders and holds in the OpenAPI document: buy several numbers at once, then read it; hold
numbers for the team for 30 minutes (the cart), list and drop them."""

from __future__ import annotations

from typing import Any

from app.api.openapi.schemas import (
    E164,
    IDEMPOTENCY_KEY,
    NULLABLE_STRING,
    TEAM,
    TEAM_ID,
    TIMESTAMP,
    body,
    errors,
    id_of,
    obj,
    ok,
    path,
    ref,
)
from app.numbers.orders import MAX_ORDER
from app.providers.base import HOLD_LENGTH
from app.timefmt import duration

ORDER_ID = id_of("ord")
HOLD_ID = id_of("hold")
NULLABLE_MONEY = {"type": ["string", "null"], "pattern": r"^[0-9]+\.[0-9]{2}$"}

ORDER_SCHEMAS: dict[str, Any] = {
    "OrderRequest": obj(
        ["teamId", "phoneNumbers"],
        teamId=TEAM_ID,
        phoneNumbers={
            "type": "array",
            "minItems": 1,
            "maxItems": MAX_ORDER,
            "items": E164,
            "description": "Bought all within the plan, or none is (a repeat counts once)",
        },
        connectionId={"type": "string", "pattern": "^[ -~]{0,64}$"},
    ),
    "Order": obj(
        ["id", "status", "summary", "createdAt", "numbers"],
        id=ORDER_ID,
        status={
            "enum": ["complete", "pending", "requested", "partial", "failed"],
            "description": "complete: all bought; pending: all bought or still being "
            "completed; requested: the rest sent for approval; partial: some not bought; "
            "failed: none bought",
        },
        summary={"type": "string", "description": 'In words: "2 of 3 bought, 1 not available"'},
        createdAt=TIMESTAMP,
        numbers={
            "type": "array",
            "items": obj(
                ["phoneNumber", "status", "phoneNumberId", "message"],
                phoneNumber={"type": "string"},
                status={"enum": ["bought", "pending", "requested", "unavailable", "failed"]},
                phoneNumberId=NULLABLE_STRING,
                message={"type": "string"},
                requestId={
                    "type": "string",
                    "description": "requested: the purchase request waiting for approval",
                },
            ),
        },
    ),
    "OrderResponse": obj(
        ["success", "order", "eligibility"],
        success={"const": True},
        order=ref("Order"),
        eligibility=ref("Eligibility"),
    ),
    "OrderRequested": obj(
        ["success", "order", "eligibility", "requests"],
        success={"const": True},
        order=ref("Order"),
        eligibility=ref("Eligibility"),
        requests={"type": "array", "items": ref("PurchaseRequestRecord")},
    ),
    "OrderRead": obj(["success", "order"], success={"const": True}, order=ref("Order")),
    "HoldRequest": obj(["teamId", "phoneNumber"], teamId=TEAM_ID, phoneNumber=E164),
    "Hold": obj(
        ["id", "phoneNumber", "region", "features", "monthlyPrice", "setupPrice", "heldUntil"],
        id=HOLD_ID,
        phoneNumber={"type": "string"},
        region=NULLABLE_STRING,
        features={"type": "array", "items": {"type": "string"}},
        monthlyPrice=NULLABLE_MONEY,
        setupPrice=NULLABLE_MONEY,
        heldUntil=TIMESTAMP,
        purchaseRequestId={
            "type": "string",
            "description": "Held for this purchase request, waiting for approval",
        },
    ),
    "HoldResponse": obj(["success", "hold"], success={"const": True}, hold=ref("Hold")),
    "HoldList": obj(
        ["success", "holds", "count", "dueNow", "perMonth", "planAllows"],
        success={"const": True},
        holds={"type": "array", "items": ref("Hold")},
        count={"type": "integer", "minimum": 0},
        dueNow={
            **NULLABLE_MONEY,
            "description": "Setup and first month of every hold not waiting for approval "
            "(trial: 0)",
        },
        perMonth=NULLABLE_MONEY,
        planAllows={"type": "integer", "minimum": 0, "description": "How many more numbers fit"},
    ),
}

ORDER_PATHS: dict[str, Any] = {
    "/api/phone-numbers/orders": {
        "post": {
            "operationId": "orderNumbers",
            "summary": "Buy several numbers at once: all must fit the plan; an outcome per number",
            "parameters": [IDEMPOTENCY_KEY],
            "requestBody": body("OrderRequest"),
            "responses": {
                **ok("OrderResponse"),
                **ok("OrderRequested", "Some numbers sent for approval (approvals are on)", "202"),
                **errors(403, 404, 409, 422),
            },
        }
    },
    "/api/phone-numbers/holds": {
        "post": {
            "operationId": "holdNumber",
            "summary": f"Hold a number for the team for {duration(HOLD_LENGTH)}: nobody else here "
            "is offered it",
            "requestBody": body("HoldRequest"),
            "responses": {
                **ok("HoldResponse", "Held", "201"),
                **errors(403, 404, 409, 502, 504),
            },
        },
        "get": {
            "operationId": "listHolds",
            "summary": "The team's live holds (the cart), their totals and what the plan allows",
            "parameters": [TEAM],
            "responses": {**ok("HoldList"), **errors(404)},
        },
    },
    "/api/phone-numbers/holds/{holdId}": {
        "parameters": [path("holdId", HOLD_ID)],
        "delete": {
            "operationId": "dropHold",
            "summary": "Take a number out of the cart",
            "parameters": [TEAM],
            "responses": {**ok("HoldResponse"), **errors(403, 404)},
        },
    },
    "/api/phone-numbers/orders/{orderId}": {
        "parameters": [path("orderId", ORDER_ID)],
        "get": {
            "operationId": "getOrder",
            "summary": "An order and what became of each of its numbers",
            "parameters": [TEAM],
            "responses": {**ok("OrderRead"), **errors(404)},
        },
    },
}
