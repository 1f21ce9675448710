"""Outgoing webhooks in the OpenAPI document: the endpoints' operations, and the `webhooks`
section (OpenAPI 3.1) with every event's payload, built from app.events.catalog.

Every delivery is a POST with the Standard Webhooks headers (webhook-id, webhook-timestamp,
webhook-signature) over the exact body; receivers verify it with any Standard Webhooks
library and the endpoint's secret (whsec_...).
"""

from __future__ import annotations

from typing import Any

from app.api.openapi.schemas import (
    NULLABLE_STRING,
    NULLABLE_TIMESTAMP,
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
from app.events.catalog import EVENT_TYPES, TEST_EVENT, EventType
from app.events.fields import MAX_DESCRIPTION
from app.events.secrets import PREFIX

ENDPOINT_ID, DELIVERY_ID = id_of("whep"), id_of("whdl")
URL = {
    "type": "string",
    "format": "uri",
    "maxLength": 2000,
    "description": "https:// (or http://) on a public internet address: private, loopback and "
    "link-local addresses are refused, now and at every send",
}
EVENTS = {
    "type": "array",
    "minItems": 1,
    "items": {"enum": list(EVENT_TYPES)},
    "description": "The event types to receive",
}
DESCRIPTION = {"type": "string", "maxLength": MAX_DESCRIPTION, "pattern": "^[^\\u0000]*$"}
SECRET = {
    "type": "string",
    "pattern": f"^{PREFIX}[A-Za-z0-9+/=]+$",
    "description": "The signing secret, shown only in this answer: verify deliveries with it",
}

WEBHOOK_SCHEMAS: dict[str, Any] = {
    "WebhookEndpoint": obj(
        [
            "id",
            "teamId",
            "url",
            "description",
            "events",
            "enabled",
            "createdAt",
            "previousSecretExpiresAt",
            "failingSince",
            "disabledAt",
            "disabledReason",
        ],
        id=ENDPOINT_ID,
        teamId=TEAM_ID,
        url={"type": "string"},
        description={"type": "string"},
        events={"type": "array", "items": {"type": "string"}},
        enabled={"type": "boolean"},
        createdAt=TIMESTAMP,
        previousSecretExpiresAt={
            **NULLABLE_TIMESTAMP,
            "description": "After a rotation, the old secret signs too until then",
        },
        failingSince={**NULLABLE_TIMESTAMP, "description": "Every try failed since then"},
        disabledAt=NULLABLE_TIMESTAMP,
        disabledReason=NULLABLE_STRING,
    ),
    "WebhookEndpointCreate": {
        **obj(
            ["teamId", "url", "events"],
            teamId=TEAM_ID,
            url=URL,
            events=EVENTS,
            description=DESCRIPTION,
        ),
    },
    "WebhookEndpointUpdate": {
        **obj(
            [],
            url=URL,
            events=EVENTS,
            description=DESCRIPTION,
            enabled={"type": "boolean", "description": "true turns a disabled endpoint back on"},
        ),
        "anyOf": [{"required": [name]} for name in ("url", "events", "description", "enabled")],
    },
    "WebhookEndpointResponse": obj(
        ["success", "endpoint"], success={"const": True}, endpoint=ref("WebhookEndpoint")
    ),
    "WebhookEndpointIssued": obj(
        ["success", "endpoint", "secret"],
        success={"const": True},
        endpoint=ref("WebhookEndpoint"),
        secret=SECRET,
    ),
    "WebhookEndpointList": obj(
        ["success", "endpoints", "count"],
        success={"const": True},
        endpoints={"type": "array", "items": ref("WebhookEndpoint")},
        count={"type": "integer", "minimum": 0},
    ),
    "WebhookEndpointDeleted": obj(
        ["success", "id", "deleted"],
        success={"const": True},
        id=ENDPOINT_ID,
        deleted={"const": True},
    ),
    "WebhookDelivery": obj(
        [
            "id",
            "endpointId",
            "eventId",
            "eventType",
            "status",
            "attempts",
            "createdAt",
            "nextAttemptAt",
            "finishedAt",
            "lastError",
            "tries",
        ],
        id=DELIVERY_ID,
        endpointId=ENDPOINT_ID,
        eventId={"type": "string", "description": "The webhook-id header: the same on every try"},
        eventType={"type": "string"},
        status={"enum": ["pending", "sending", "delivered", "failed"]},
        attempts={"type": "integer", "minimum": 0},
        createdAt=TIMESTAMP,
        nextAttemptAt=NULLABLE_TIMESTAMP,
        finishedAt=NULLABLE_TIMESTAMP,
        lastError=NULLABLE_STRING,
        tries={
            "type": "array",
            "description": "The latest tries first (20 at most)",
            "items": obj(
                ["at", "statusCode", "latencyMs", "responseExcerpt", "error", "succeeded"],
                at=TIMESTAMP,
                statusCode={"type": ["integer", "null"]},
                latencyMs={"type": "integer", "minimum": 0},
                responseExcerpt={"type": "string", "maxLength": 500},
                error=NULLABLE_STRING,
                succeeded={"type": "boolean"},
            ),
        },
    ),
    "WebhookDeliveryList": obj(
        ["success", "deliveries", "count"],
        success={"const": True},
        deliveries={"type": "array", "items": ref("WebhookDelivery")},
        count={"type": "integer", "minimum": 0},
    ),
    "WebhookDeliveryResponse": obj(
        ["success", "delivery"], success={"const": True}, delivery=ref("WebhookDelivery")
    ),
    "EmptyBody": {**obj([]), "description": "A JSON object: {}"},
}

ENDPOINT = path("endpointId", ENDPOINT_ID)
WEBHOOK_PATHS: dict[str, Any] = {
    "/api/webhook-endpoints": {
        "get": {
            "operationId": "listWebhookEndpoints",
            "summary": "The team's webhook endpoints (owners and admins)",
            "parameters": [TEAM],
            "responses": {**ok("WebhookEndpointList"), **errors(404)},
        },
        "post": {
            "operationId": "createWebhookEndpoint",
            "summary": "Add an endpoint; the answer shows its signing secret, once",
            "requestBody": body("WebhookEndpointCreate"),
            "responses": {
                **ok("WebhookEndpointIssued", "Created", "201"),
                **errors(404, 409),
            },
        },
    },
    "/api/webhook-endpoints/{endpointId}": {
        "parameters": [ENDPOINT],
        "get": {
            "operationId": "getWebhookEndpoint",
            "responses": {**ok("WebhookEndpointResponse"), **errors(404)},
        },
        "patch": {
            "operationId": "updateWebhookEndpoint",
            "summary": "Change the URL, events or description, or turn it off or on",
            "requestBody": body("WebhookEndpointUpdate"),
            "responses": {**ok("WebhookEndpointResponse"), **errors(404)},
        },
        "delete": {
            "operationId": "deleteWebhookEndpoint",
            "responses": {**ok("WebhookEndpointDeleted"), **errors(404)},
        },
    },
    "/api/webhook-endpoints/{endpointId}/rotate-secret": {
        "parameters": [ENDPOINT],
        "post": {
            "operationId": "rotateWebhookSecret",
            "requestBody": body("EmptyBody"),
            "summary": "A new signing secret (shown once); the old one signs too until "
            "previousSecretExpiresAt, so receivers switch without missing an event",
            "responses": {**ok("WebhookEndpointIssued"), **errors(404)},
        },
    },
    "/api/webhook-endpoints/{endpointId}/deliveries": {
        "parameters": [ENDPOINT],
        "get": {
            "operationId": "listWebhookDeliveries",
            "summary": "The endpoint's delivery log, newest first: each try's status, "
            "latency and the answer's first characters",
            "parameters": [
                {
                    **query("limit", "How many (1-100, default 50)", required=False),
                    "schema": {"type": "integer", "minimum": 1, "maximum": 100},
                }
            ],
            "responses": {**ok("WebhookDeliveryList"), **errors(404)},
        },
    },
    "/api/webhook-endpoints/{endpointId}/deliveries/{deliveryId}/resend": {
        "parameters": [ENDPOINT, path("deliveryId", DELIVERY_ID)],
        "post": {
            "operationId": "resendWebhookDelivery",
            "requestBody": body("EmptyBody"),
            "summary": "Send a delivered or failed delivery again, with the same webhook-id "
            "and body, and 24 hours of retries",
            "responses": {**ok("WebhookDeliveryResponse", "Queued", "202"), **errors(404, 409)},
        },
    },
    "/api/webhook-endpoints/{endpointId}/test": {
        "parameters": [ENDPOINT],
        "post": {
            "operationId": "sendTestWebhook",
            "requestBody": body("EmptyBody"),
            "summary": f"Send a {TEST_EVENT.name} event to this endpoint now",
            "responses": {**ok("WebhookDeliveryResponse", "Queued", "202"), **errors(404, 409)},
        },
    },
}

HEADERS = [
    {
        "name": "webhook-id",
        "in": "header",
        "required": True,
        "description": "The event's id: the same on every try (use it to drop repeats)",
        "schema": {"type": "string"},
    },
    {
        "name": "webhook-timestamp",
        "in": "header",
        "required": True,
        "description": "When this try was sent, in Unix seconds (refuse old ones)",
        "schema": {"type": "string", "pattern": "^[0-9]+$"},
    },
    {
        "name": "webhook-signature",
        "in": "header",
        "required": True,
        "description": "Space-separated v1,<base64 HMAC-SHA256 of id.timestamp.body>, one per "
        "secret in use (two during a rotation's overlap)",
        "schema": {"type": "string"},
    },
]


def _event(event: EventType) -> dict[str, Any]:
    return {
        "post": {
            "operationId": f"event_{event.name.replace('.', '_')}",
            "summary": event.summary,  # one not sent says so, and why
            "description": "Delivered to each enabled endpoint subscribed to it, signed per "
            "Standard Webhooks; answer 2xx within 5 seconds. Redirects are not followed; 410 "
            "turns the endpoint off; anything else is retried with backoff for 24 hours.",
            "parameters": HEADERS,
            "requestBody": {
                "required": True,
                "content": {
                    "application/json": {
                        "schema": obj(
                            ["type", "timestamp", "data"],
                            type={"const": event.name},
                            timestamp={"type": "string", "format": "date-time"},
                            data=event.data,
                        )
                    }
                },
            },
            "responses": {"2XX": {"description": "Received"}},
        }
    }


WEBHOOKS: dict[str, Any] = {
    name: _event(event) for name, event in [*EVENT_TYPES.items(), (TEST_EVENT.name, TEST_EVENT)]
}
