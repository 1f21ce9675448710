"""The orders resource in the OpenAPI document: buy several numbers at once, then read it."""

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

ORDER_ID = id_of("ord")

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
            "enum": ["complete", "pending", "partial", "failed"],
            "description": "complete: all bought; pending: all bought or still being "
            "completed; partial: some not bought; failed: none bought",
        },
        summary={"type": "string", "description": 'In words: "2 of 3 bought, 1 not available"'},
        createdAt=TIMESTAMP,
        numbers={
            "type": "array",
            "items": obj(
                ["phoneNumber", "status", "phoneNumberId", "message"],
                phoneNumber={"type": "string"},
                status={"enum": ["bought", "pending", "unavailable", "failed"]},
                phoneNumberId=NULLABLE_STRING,
                message={"type": "string"},
            ),
        },
    ),
    "OrderResponse": obj(
        ["success", "order", "eligibility"],
        success={"const": True},
        order=ref("Order"),
        eligibility=ref("Eligibility"),
    ),
    "OrderRead": obj(["success", "order"], success={"const": True}, order=ref("Order")),
}

ORDER_PATHS: dict[str, Any] = {
    "/api/phone-numbers/orders": {
        "post": {
            "operationId": "orderNumbers",
            "summary": "Buy several numbers at once: all must fit the plan; an outcome per number",
            "parameters": [IDEMPOTENCY_KEY],
            "requestBody": body("OrderRequest"),
            "responses": {**ok("OrderResponse"), **errors(403, 404, 409, 422)},
        }
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
