"""Undoing a release in the OpenAPI document: a release waits out RELEASE_GRACE_MINUTES, and
until the sweep takes it, POST …/undo-release brings the number back as it was."""

from __future__ import annotations

from typing import Any

from app.api.openapi.schemas import (
    IDEMPOTENCY_KEY,
    NUMBER_ID,
    TEAM_ID,
    body,
    errors,
    obj,
    ok,
    path,
    ref,
)

RELEASE_SCHEMAS: dict[str, Any] = {
    "UndoReleaseRequest": obj(["teamId"], teamId=TEAM_ID),
    "UndoReleaseResponse": obj(
        ["success", "phoneNumber", "eligibility", "message"],
        success={"const": True},
        phoneNumber=ref("NumberRow"),
        eligibility=ref("Eligibility"),
        message={
            "type": "string",
            "description": "What came back; says so when its assistant was deleted meanwhile "
            "(the number is back unassigned)",
        },
    ),
}

RELEASE_PATHS: dict[str, Any] = {
    "/api/phone-numbers/{numberId}/undo-release": {
        "parameters": [path("numberId", NUMBER_ID)],
        "post": {
            "operationId": "undoRelease",
            "summary": "Bring back a released number while its grace window runs (as it was: "
            "its assistant and label); 403 plan_limit_reached if it no longer fits the plan, "
            "409 number_unavailable once the release is under way or done",
            "parameters": [IDEMPOTENCY_KEY],
            "requestBody": body("UndoReleaseRequest"),
            "responses": {**ok("UndoReleaseResponse"), **errors(403, 404, 409, 422)},
        },
    },
}
