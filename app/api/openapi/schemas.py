"""The OpenAPI document's building blocks and its schemas (the shapes of bodies and answers)."""

from __future__ import annotations

from typing import Any

from app.assistants.service import MAX_NAME
from app.numbers.managing import MAX_LABEL
from app.plans.catalog import PLANS
from app.text import visible_class

ID = {"type": "string", "maxLength": 64}


def id_of(prefix: str) -> dict[str, str]:
    """An id this API makes (app.ids): the prefix and 26 lower-case Crockford characters."""
    return {"type": "string", "pattern": f"^{prefix}_[0-9a-z]{{26}}$"}


TEAM_ID, NUMBER_ID, ASSISTANT_ID = id_of("team"), id_of("pn"), id_of("asst")
# Visible text, in any script: at least one letter, digit, punctuation mark or symbol (the
# server strips invisible characters, so a name of those alone is empty), and no NUL (the
# server refuses it). The class is built from the same rule the server cleans names with.
NAME = {
    "type": "string",
    "minLength": 1,
    "maxLength": MAX_NAME,
    "pattern": f"^[^\\u0000]*{visible_class()}[^\\u0000]*$",
}
E164 = {
    "type": "string",
    "format": "phone-e164",
    "pattern": r"^\+[1-9][0-9]{1,14}$",
    "description": "E.164, and a valid number per the phonenumbers library",
}
NULLABLE_STRING = {"type": ["string", "null"]}
TIMESTAMP = {
    "type": "string",
    "pattern": r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$",
}
NULLABLE_TIMESTAMP = {"type": ["string", "null"], "pattern": TIMESTAMP["pattern"]}
MONEY = {"type": "string", "pattern": r"^[0-9]+\.[0-9]{2}$"}


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
        403: "Beyond the plan or the spend cap, not allowed for the caller's role, or outside the "
        "token's scopes",
        404: "Not found, or not in the caller's teams",
        405: "Method not allowed",
        409: "Number unavailable, a name already used, or an Idempotency-Key still in use",
        413: "Body too large",
        415: "Unsupported media type",
        422: "Idempotency-Key reused with another request",
        429: "Rate limited",
        502: "The provider failed",
        504: "The provider timed out",
    }
    always = (400, 401, 403, 405, 413, 429)  # any token may lack the operation's scope
    answers = {}
    for status in sorted({*always, *statuses}):
        refusals = [ref("PlanLimitError"), ref("SpendCapError"), ref("Error")]
        schema = {"anyOf": refusals} if status == 403 else ref("Error")
        answers[str(status)] = {"description": names[status], "content": _json(schema)}
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


def path(name: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {"name": name, "in": "path", "required": True, "schema": schema}


IDEMPOTENCY_KEY = {
    "name": "Idempotency-Key",
    "in": "header",
    "required": False,
    "description": "Same key and body within 24 h: the first answer again, nothing bought twice.",
    "schema": {"type": "string", "pattern": "^[!-~]{1,255}$"},
}
TEAM = {**query("teamId", "A team the caller belongs to"), "schema": TEAM_ID}
CURSOR = {
    **query("cursor", "nextCursor from the previous page", required=False),
    "schema": {"type": "string", "format": "page-cursor", "pattern": "^[A-Za-z0-9_-]{1,200}$"},
}

SCHEMAS: dict[str, Any] = {
    "Error": obj(
        ["success", "error"],
        success={"const": False},
        error=obj(
            ["code", "message"],
            code={"type": "string"},
            message={"type": "string"},
            fields={"type": "object", "additionalProperties": {"type": "string"}},
            requiredScope={
                "type": "string",
                "description": "With insufficient_scope: the scope the call needs",
            },
        ),
    ),
    "Eligibility": obj(
        ["currentCount", "maxAllowed", "hasSubscription", "planName"],
        currentCount={"type": "integer", "minimum": 0},
        maxAllowed={"type": "integer", "minimum": 1},
        hasSubscription={"type": "boolean"},
        planName={"enum": [plan.name for plan in PLANS.values()]},
    ),
    "PurchaseRequest": obj(
        ["phoneNumber", "teamId"],
        phoneNumber=E164,
        teamId=TEAM_ID,
        connectionId={"type": "string", "pattern": "^[ -~]{0,64}$"},
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
            pending_reason={"type": ["string", "null"]},
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
        state={
            "enum": ["reserving", "pending", "active", "releasing", "expired"],
            "description": "Where the number stands in its lifecycle (status, in detail)",
        },
        pending_reason={
            "type": ["string", "null"],
            "description": '"documents" while the provider waits for regulatory documents',
        },
        assistant_id=NULLABLE_STRING,
        assistant_name=NULLABLE_STRING,
        created_by_email=NULLABLE_STRING,
        created_by_name=NULLABLE_STRING,
        created_at=TIMESTAMP,
        label=NULLABLE_STRING,
        release_at={
            **NULLABLE_TIMESTAMP,
            "description": "While set, the number's release waits out its grace window: it "
            "works, no longer counts toward the plan, and undo-release brings it back",
        },
        routing={
            **ref("RoutingShown"),
            "description": "Only with include=routing (the list), GET of one number, or a "
            "PATCH that sent routing",
        },
    ),
    "NumberList": obj(
        ["success", "numbers", "count"],
        success={"const": True},
        numbers={"type": "array", "items": ref("NumberRow")},
        count={"type": "integer", "minimum": 0},
        nextCursor={"type": ["string", "null"], "description": "Only when a limit was given"},
    ),
    "NumberUpdate": {
        **obj(
            ["teamId"],
            teamId=TEAM_ID,
            label={
                "type": ["string", "null"],
                "maxLength": MAX_LABEL,
                "pattern": "^[^\\u0000]*$",
            },
            routing={
                **ref("Routing"),
                "description": "The fields sent replace the number's (others are kept)",
            },
        ),
        "anyOf": [{"required": ["label"]}, {"required": ["routing"]}],
    },
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
            status={
                "enum": ["released", "expired", "releasing"],
                "description": "releasing: scheduled, see release_at",
            },
            released_at=NULLABLE_TIMESTAMP,
            release_at={
                **NULLABLE_TIMESTAMP,
                "description": "With a grace window only: when the release falls due (null "
                "once done); undo-release brings the number back until then",
            },
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
        destination={
            **ref("Destination"),
            "description": "With include=routing, or when the request sent one; null: calls "
            "to its numbers go to the fallback",
        },
        callerIdNumbers={
            "type": "array",
            "description": "With include=routing: the numbers it may call out from",
            "items": obj(["id", "phoneNumber"], id=ID, phoneNumber={"type": "string"}),
        },
    ),
    "AssistantList": obj(
        ["success", "assistants", "count"],
        success={"const": True},
        assistants={"type": "array", "items": ref("Assistant")},
        count={"type": "integer", "minimum": 0},
    ),
    "AssistantCreate": obj(
        ["teamId", "name"], teamId=TEAM_ID, name=NAME, destination=ref("Destination")
    ),
    "AssistantRename": {
        **obj([], name=NAME, destination=ref("Destination")),
        "anyOf": [{"required": ["name"]}, {"required": ["destination"]}],
    },
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
            "items": NUMBER_ID,
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
