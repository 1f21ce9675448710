"""The OpenAPI 3.1 description of every JSON endpoint, served at /api/openapi.json.

Kept true by tests that validate real responses against it, and by schemathesis in CI.
"""

from __future__ import annotations

from typing import Any

from app.api import bp
from app.numbers.validation import MAX_LIMIT

ID = {"type": "string", "maxLength": 64}
NULLABLE_STRING = {"type": ["string", "null"]}
TIMESTAMP = {"type": "string", "pattern": r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$"}
NULLABLE_TIMESTAMP = {"type": ["string", "null"], "pattern": TIMESTAMP["pattern"]}
MONEY = {"type": "string", "pattern": r"^\d+\.\d\d$"}


def ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def obj(required: list[str], **properties: Any) -> dict[str, Any]:
    return {"type": "object", "required": required, "properties": properties}


def ok(schema: str, description: str = "Success", status: str = "200") -> dict[str, Any]:
    return {status: {"description": description, "content": _json(ref(schema))}}


def _json(schema: dict[str, Any]) -> dict[str, Any]:
    return {"application/json": {"schema": schema}}


def errors(*statuses: int) -> dict[str, Any]:
    names = {
        400: "Invalid request (fields says which)",
        401: "Missing, unknown or revoked token",
        403: "Beyond the plan",
        404: "Not found, or not in the caller's teams",
        405: "Method not allowed",
        409: "Number unavailable, or an Idempotency-Key still in use",
        413: "Body too large",
        415: "Unsupported media type",
        422: "Idempotency-Key reused with another request",
        429: "Rate limited",
        502: "The provider failed",
        504: "The provider timed out",
    }
    always = (400, 401, 405, 413, 429)
    answers = {}
    for status in sorted({*always, *statuses}):
        schema = "PlanLimitError" if status == 403 else "Error"
        answers[str(status)] = {"description": names[status], "content": _json(ref(schema))}
    return answers


def body(schema: str) -> dict[str, Any]:
    return {"required": True, "content": _json(ref(schema))}


def query(name: str, description: str, required: bool = True) -> dict[str, Any]:
    return {
        "name": name,
        "in": "query",
        "required": required,
        "description": description,
        "schema": {"type": "string"},
    }


def path(name: str) -> dict[str, Any]:
    return {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}


IDEMPOTENCY_KEY = {
    "name": "Idempotency-Key",
    "in": "header",
    "required": False,
    "description": "Same key and body within 24 h: the first answer again, nothing bought twice.",
    "schema": {"type": "string", "minLength": 1, "maxLength": 255},
}
TEAM = query("teamId", "A team the caller belongs to")

SCHEMAS: dict[str, Any] = {
    "Error": obj(
        ["success", "error"],
        success={"const": False},
        error=obj(
            ["code", "message"],
            code={"type": "string"},
            message={"type": "string"},
            fields={"type": "object", "additionalProperties": {"type": "string"}},
        ),
    ),
    "Eligibility": obj(
        ["currentCount", "maxAllowed", "hasSubscription", "planName"],
        currentCount={"type": "integer", "minimum": 0},
        maxAllowed={"type": "integer", "minimum": 1},
        hasSubscription={"type": "boolean"},
        planName={"enum": ["Free", "Starter", "Growth", "Scale"]},
    ),
    "SearchRequest": obj(
        ["filters"],
        filters=obj(
            ["countryCode"],
            countryCode={"type": "string", "description": "ISO 3166-1 alpha-2"},
            areaCode={"type": "string", "pattern": r"^\d{3}$", "description": "US and CA only"},
            numberType={"enum": ["local", "toll-free"], "default": "local"},
            limit={"type": "integer", "minimum": 1, "maximum": MAX_LIMIT, "default": 20},
        ),
    ),
    "AvailableNumber": obj(
        ["phoneNumber", "monthlyPrice", "setupPrice", "features"],
        phoneNumber={"type": "string", "pattern": r"^\+[1-9]\d{1,14}$"},
        monthlyPrice=MONEY,
        setupPrice=MONEY,
        features={"type": "array", "items": {"type": "string"}},
    ),
    "SearchResponse": obj(
        ["success", "numbers", "provider", "count"],
        success={"const": True},
        numbers={"type": "array", "items": ref("AvailableNumber")},
        provider={"enum": ["telnyx", "sandbox"]},
        count={"type": "integer", "minimum": 0},
    ),
    "PurchaseRequest": obj(
        ["phoneNumber", "teamId"],
        phoneNumber={"type": "string", "description": "E.164"},
        teamId={"type": "string"},
        connectionId={"type": "string"},
    ),
    "PurchaseResponse": obj(
        ["success", "phoneNumber", "eligibility"],
        success={"const": True},
        phoneNumber=obj(
            ["id", "phone_number", "provider_number_id", "status", "is_trial", "trial_expires_at"],
            id=ID,
            phone_number={"type": "string"},
            provider_number_id=NULLABLE_STRING,
            status={"enum": ["active", "pending"]},
            is_trial={"type": "boolean"},
            trial_expires_at=NULLABLE_TIMESTAMP,
            message={"type": "string"},
        ),
        eligibility=ref("Eligibility"),
    ),
    "PlanLimitError": {
        "allOf": [ref("Error"), obj(["eligibility"], eligibility=ref("Eligibility"))]
    },
    "NumberRow": obj(
        [
            "id",
            "phone_number",
            "provider",
            "status",
            "is_trial",
            "trial_expires_at",
            "assistant_id",
            "assistant_name",
            "created_by_email",
            "created_by_name",
            "created_at",
        ],
        id=ID,
        phone_number={"type": "string"},
        provider={"type": "string"},
        status={"enum": ["active", "pending", "expired"]},
        is_trial={"type": "boolean"},
        trial_expires_at=NULLABLE_TIMESTAMP,
        assistant_id=NULLABLE_STRING,
        assistant_name=NULLABLE_STRING,
        created_by_email=NULLABLE_STRING,
        created_by_name=NULLABLE_STRING,
        created_at=TIMESTAMP,
        label=NULLABLE_STRING,
    ),
    "NumberList": obj(
        ["success", "numbers", "count"],
        success={"const": True},
        numbers={"type": "array", "items": ref("NumberRow")},
        count={"type": "integer", "minimum": 0},
        nextCursor={"type": ["string", "null"], "description": "Only when a limit was given"},
    ),
    "NumberUpdate": obj(["teamId", "label"], teamId={"type": "string"}, label=NULLABLE_STRING),
    "NumberResponse": obj(
        ["success", "phoneNumber"], success={"const": True}, phoneNumber=ref("NumberRow")
    ),
    "ReleaseResponse": obj(
        ["success", "phoneNumber", "eligibility"],
        success={"const": True},
        phoneNumber=obj(
            ["id", "phone_number", "status", "released_at"],
            id=ID,
            phone_number={"type": "string"},
            status={"enum": ["released", "expired"]},
            released_at=NULLABLE_TIMESTAMP,
            message={"type": "string"},
        ),
        eligibility=ref("Eligibility"),
    ),
    "Assistant": obj(
        ["id", "team_id", "name", "created_at"],
        id=ID,
        team_id=ID,
        name={"type": "string"},
        created_at=TIMESTAMP,
        phone_number_count={"type": "integer", "minimum": 0},
    ),
    "AssistantList": obj(
        ["success", "assistants", "count"],
        success={"const": True},
        assistants={"type": "array", "items": ref("Assistant")},
        count={"type": "integer", "minimum": 0},
    ),
    "AssistantCreate": obj(["teamId", "name"], teamId={"type": "string"}, name={"type": "string"}),
    "AssistantRename": obj(["name"], name={"type": "string"}),
    "AssistantResponse": obj(
        ["success", "assistant"], success={"const": True}, assistant=ref("Assistant")
    ),
    "AssistantDeleted": obj(
        ["success", "id", "deleted"], success={"const": True}, id=ID, deleted={"const": True}
    ),
    "AssignRequest": obj(
        ["phoneNumberIds"],
        phoneNumberIds={
            "type": "array",
            "minItems": 1,
            "maxItems": 100,
            "items": {"type": "string"},
        },
    ),
    "AssignResponse": obj(
        ["success", "assistant", "phoneNumberIds"],
        success={"const": True},
        assistant=ref("Assistant"),
        phoneNumberIds={"type": "array", "items": {"type": "string"}},
    ),
    "Unassigned": obj(
        ["success", "assistant_id", "phone_number_id"],
        success={"const": True},
        assistant_id=ID,
        phone_number_id=ID,
    ),
}

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
            "responses": {**ok("PurchaseResponse"), **errors(403, 404, 409, 422, 502, 504)},
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
                query("cursor", "nextCursor from the previous page", required=False),
            ],
            "responses": {**ok("NumberList"), **errors(404)},
        },
    },
    "/api/phone-numbers/{numberId}": {
        "parameters": [path("numberId")],
        "patch": {
            "operationId": "labelNumber",
            "summary": "Set or clear the number's label",
            "requestBody": body("NumberUpdate"),
            "responses": {**ok("NumberResponse"), **errors(404)},
        },
        "delete": {
            "operationId": "releaseNumber",
            "summary": "Release the number at the provider (safe to retry)",
            "parameters": [TEAM, IDEMPOTENCY_KEY],
            "responses": {**ok("ReleaseResponse"), **errors(404, 409, 422, 502, 504)},
        },
    },
    "/api/assistants": {
        "get": {
            "operationId": "listAssistants",
            "parameters": [TEAM],
            "responses": {**ok("AssistantList"), **errors(404)},
        },
        "post": {
            "operationId": "createAssistant",
            "requestBody": body("AssistantCreate"),
            "responses": {**ok("AssistantResponse", "Created", "201"), **errors(404)},
        },
    },
    "/api/assistants/{assistantId}": {
        "parameters": [path("assistantId")],
        "patch": {
            "operationId": "renameAssistant",
            "requestBody": body("AssistantRename"),
            "responses": {**ok("AssistantResponse"), **errors(404)},
        },
        "delete": {
            "operationId": "deleteAssistant",
            "summary": "Delete it; its numbers become unassigned",
            "responses": {**ok("AssistantDeleted"), **errors(404)},
        },
    },
    "/api/assistants/{assistantId}/phone-numbers": {
        "parameters": [path("assistantId")],
        "post": {
            "operationId": "assignNumbers",
            "summary": "Assign numbers (all or nothing; a number moves from another assistant)",
            "requestBody": body("AssignRequest"),
            "responses": {**ok("AssignResponse"), **errors(404)},
        },
    },
    "/api/assistants/{assistantId}/phone-numbers/{numberId}": {
        "parameters": [path("assistantId"), path("numberId")],
        "delete": {
            "operationId": "unassignNumber",
            "responses": {**ok("Unassigned"), **errors(404)},
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
        "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        "schemas": SCHEMAS,
    },
    "paths": PATHS,
}


@bp.get("/openapi.json")
def openapi_document():
    return DOCUMENT
