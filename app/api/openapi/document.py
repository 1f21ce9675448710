"""The OpenAPI 3.1 description of every JSON endpoint: its paths and the whole document.

Kept true by tests that validate real responses against it, and by schemathesis in CI.
"""

from __future__ import annotations

from typing import Any

from app.api.openapi.caller_names import CALLER_NAME_PATHS, CALLER_NAME_SCHEMAS
from app.api.openapi.campaigns import CAMPAIGN_PATHS, CAMPAIGN_SCHEMAS
from app.api.openapi.guardrails import GUARDRAIL_PATHS, GUARDRAIL_SCHEMAS, WAITS
from app.api.openapi.health import HEALTH_PATHS, HEALTH_SCHEMAS
from app.api.openapi.orders import ORDER_PATHS, ORDER_SCHEMAS
from app.api.openapi.releases import RELEASE_PATHS, RELEASE_SCHEMAS
from app.api.openapi.routing import INCLUDE, ROUTING_PATHS, ROUTING_SCHEMAS
from app.api.openapi.schemas import (
    ASSISTANT_ID,
    CURSOR,
    IDEMPOTENCY_KEY,
    NUMBER_ID,
    SCHEMAS,
    TEAM,
    body,
    errors,
    ok,
    path,
    query,
)
from app.api.openapi.search import SEARCH_SCHEMAS
from app.api.openapi.security import SCHEME
from app.api.openapi.webhooks import WEBHOOK_PATHS, WEBHOOK_SCHEMAS, WEBHOOKS
from app.numbers.listing import SORT_CHOICES, STATUSES, UNASSIGNED
from app.phone import NUMBER_TYPES

# The list's optional narrowing (app.numbers.listing); with none of them the answer is whole.
LIST_FILTERS = [
    {
        **query("q", "Digits inside the number, or text in its label or assistant's name"),
        "required": False,
        "schema": {"type": "string", "maxLength": 80, "pattern": "^[^\\x00]*$"},
    },
    {
        **query("status", "Only numbers in this state (expired includes trials past their end)"),
        "required": False,
        "schema": {"enum": list(STATUSES)},
    },
    {
        **query("assistantId", "Only numbers this assistant answers on; none: unassigned ones"),
        "required": False,
        "schema": {"anyOf": [ASSISTANT_ID, {"const": UNASSIGNED}]},
    },
    {
        **query("numberType", "Only numbers of this type"),
        "required": False,
        "schema": {"enum": list(NUMBER_TYPES)},
    },
    {
        **query("countryCode", "Only numbers of this country (ISO 3166-1 alpha-2)"),
        "required": False,
        "schema": {"type": "string", "pattern": "^[A-Za-z]{2}$"},
    },
    {
        **query("sort", "created or number; a leading - for descending (default -created)"),
        "required": False,
        "schema": {"enum": list(SORT_CHOICES)},
    },
]

# OpenAPI links: the ids an answer gives to the operations that take them, so a client (and
# schemathesis's stateful phase) can follow purchase -> label/assign/release and
# create -> rename/assign/delete, and assign -> unassign.
NUMBER_LINKS = {
    "LabelIt": {
        "operationId": "labelNumber",
        "parameters": {"path.numberId": "$response.body#/phoneNumber/id"},
    },
    "ReleaseIt": {
        "operationId": "releaseNumber",
        "parameters": {
            "path.numberId": "$response.body#/phoneNumber/id",
            "query.teamId": "$request.body#/teamId",
        },
    },
}
ASSISTANT_LINKS = {
    name: {
        "operationId": operation,
        "parameters": {"path.assistantId": "$response.body#/assistant/id"},
    }
    for name, operation in (
        ("RenameIt", "renameAssistant"),
        ("AssignToIt", "assignNumbers"),
        ("DeleteIt", "deleteAssistant"),
    )
}

# An assignment's answer names the assistant and the numbers: each can be unassigned again.
ASSIGN_LINKS = {
    "UnassignIt": {
        "operationId": "unassignNumber",
        "parameters": {
            "path.assistantId": "$response.body#/assistant/id",
            "path.numberId": "$response.body#/phoneNumberIds/0",
        },
    },
}


ETAG = {
    "description": "The list's version: send it back as If-None-Match",
    "schema": {"type": "string"},
}


def linked(responses: dict[str, Any], status: str, links: dict[str, Any]) -> dict[str, Any]:
    responses[status] = {**responses[status], "links": links}
    return responses


PATHS: dict[str, Any] = {
    "/api/phone-numbers/search": {
        "post": {
            "operationId": "searchNumbers",
            "summary": "Available numbers by country, area code and type (buys nothing)",
            "requestBody": body("SearchRequest"),
            "responses": {**ok("SearchResponse"), **errors(502, 504)},
        }
    },
    "/api/phone-numbers/purchase": {
        "post": {
            "operationId": "purchaseNumber",
            "summary": "Buy a number for a team, within its plan",
            "parameters": [IDEMPOTENCY_KEY],
            "requestBody": body("PurchaseRequest"),
            "responses": linked(
                {
                    **ok("PurchaseResponse"),
                    **ok("PurchaseRequested", WAITS["description"], "202"),
                    **errors(403, 404, 409, 422, 502, 504),
                },
                "200",
                NUMBER_LINKS,
            ),
        },
        "get": {
            "operationId": "listNumbers",
            "summary": "The team's numbers, newest first (released numbers left out)",
            "parameters": [
                TEAM,
                {
                    "name": "limit",
                    "in": "query",
                    "required": False,
                    "description": "Page size (1-500); without it every number is returned",
                    "schema": {"type": "integer", "minimum": 1, "maximum": 500},
                },
                CURSOR,
                *LIST_FILTERS,
                INCLUDE,
                {
                    "name": "If-None-Match",
                    "in": "header",
                    "required": False,
                    "description": "An ETag this list answered: 304 if the list is still that",
                    "schema": {"type": "string"},
                },
            ],
            "responses": {
                "200": {**ok("NumberList")["200"], "headers": {"ETag": ETAG}},
                "304": {
                    "description": "Not modified: the list is still the one with that ETag",
                    "headers": {"ETag": ETAG},
                },
                **errors(400, 404),
            },
        },
    },
    "/api/phone-numbers/export": {
        "get": {
            "operationId": "exportNumbers",
            "summary": "Every number the list's filters keep, as CSV (one header row, no paging)",
            "parameters": [TEAM, *LIST_FILTERS],
            "responses": {
                "200": {
                    "description": "CSV: phone_number, label, status, type, country, assistant, "
                    "monthly_price_usd, is_trial, trial_expires_at, purchased_by, purchased_at",
                    "content": {"text/csv": {"schema": {"type": "string"}}},
                },
                **errors(400, 404),
            },
        }
    },
    "/api/phone-numbers/{numberId}": {
        "parameters": [path("numberId", NUMBER_ID)],
        "get": {
            "operationId": "getNumber",
            "summary": "One number, with its routing",
            "parameters": [TEAM],
            "responses": {**ok("NumberRoutingResponse"), **errors(404)},
        },
        "patch": {
            "operationId": "labelNumber",
            "summary": "Set or clear the number's label, change its routing, or both (the "
            "answer carries routing only when it was sent)",
            "requestBody": body("NumberUpdate"),
            "responses": {**ok("NumberResponse"), **errors(403, 404)},
        },
        "delete": {
            "operationId": "releaseNumber",
            "summary": "Release the number at the provider (safe to retry); with a grace "
            "window the release is scheduled and can be undone until it falls due",
            "parameters": [TEAM, IDEMPOTENCY_KEY],
            "responses": {**ok("ReleaseResponse"), **errors(403, 404, 409, 422, 502, 504)},
        },
    },
    "/api/assistants": {
        "get": {
            "operationId": "listAssistants",
            "parameters": [TEAM, INCLUDE],
            "responses": {**ok("AssistantList"), **errors(404)},
        },
        "post": {
            "operationId": "createAssistant",
            "requestBody": body("AssistantCreate"),
            "responses": linked(
                {**ok("AssistantResponse", "Created", "201"), **errors(403, 404, 409)},
                "201",
                ASSISTANT_LINKS,
            ),
        },
    },
    "/api/assistants/{assistantId}": {
        "parameters": [path("assistantId", ASSISTANT_ID)],
        "patch": {
            "operationId": "renameAssistant",
            "requestBody": body("AssistantRename"),
            "responses": {**ok("AssistantResponse"), **errors(403, 404, 409)},
        },
        "delete": {
            "operationId": "deleteAssistant",
            "summary": "Delete it; its numbers become unassigned",
            "responses": {**ok("AssistantDeleted"), **errors(403, 404)},
        },
    },
    "/api/assistants/{assistantId}/phone-numbers": {
        "parameters": [path("assistantId", ASSISTANT_ID)],
        "post": {
            "operationId": "assignNumbers",
            "summary": "Assign numbers (all or nothing; a number moves from another assistant)",
            "requestBody": body("AssignRequest"),
            "responses": linked({**ok("AssignResponse"), **errors(403, 404)}, "200", ASSIGN_LINKS),
        },
    },
    "/api/assistants/{assistantId}/phone-numbers/{numberId}": {
        "parameters": [path("assistantId", ASSISTANT_ID), path("numberId", NUMBER_ID)],
        "delete": {
            "operationId": "unassignNumber",
            "responses": {**ok("Unassigned"), **errors(403, 404)},
        },
    },
}

DOCUMENT: dict[str, Any] = {
    "openapi": "3.1.0",
    "info": {
        "title": "Phone numbers API",
        "version": "1.0.0",
        "description": "Find, buy and manage caller IDs for AI phone assistants.",
    },
    "servers": [{"url": "/"}],
    "security": [{"bearer": []}],
    "components": {
        "securitySchemes": {"bearer": SCHEME},
        "schemas": {
            **SCHEMAS,
            **SEARCH_SCHEMAS,
            **ORDER_SCHEMAS,
            **GUARDRAIL_SCHEMAS,
            **RELEASE_SCHEMAS,
            **ROUTING_SCHEMAS,
            **WEBHOOK_SCHEMAS,
            **CAMPAIGN_SCHEMAS,
            **HEALTH_SCHEMAS,
            **CALLER_NAME_SCHEMAS,
        },
    },
    "paths": {
        **PATHS,
        **ORDER_PATHS,
        **GUARDRAIL_PATHS,
        **RELEASE_PATHS,
        **ROUTING_PATHS,
        **WEBHOOK_PATHS,
        **CAMPAIGN_PATHS,
        **HEALTH_PATHS,
        **CALLER_NAME_PATHS,
    },
    # What the team's webhook endpoints receive (app.events.catalog).
    "webhooks": WEBHOOKS,
}
