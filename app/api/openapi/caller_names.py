"""Caller-ID names (CNAM), Replace and Fill gaps in the OpenAPI document."""

from __future__ import annotations

from typing import Any

from app.api.openapi.campaigns import CAMPAIGN_ID
from app.api.openapi.schemas import (
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
    ref,
)
from app.caller_names.rules import MAX_LENGTH
from app.models import CallerNameState, ReplacementStatus

CALLER_NAME = {
    "type": "string",
    "minLength": 1,
    "maxLength": MAX_LENGTH,
    "pattern": r"^[A-Za-z][A-Za-z0-9 .,]*$",
    "description": "Up to 15 letters, digits, spaces, periods and commas, starting with a letter",
}
BRIEF = {"id": ID, "phoneNumber": {"type": "string"}}
HELD = obj(["areaCode", "phoneNumber"], areaCode={"type": "string"}, phoneNumber={"type": "string"})

CALLER_NAME_SCHEMAS: dict[str, Any] = {
    "CallerName": {
        **obj(
            ["name", "state", "detail", "submittedAt", "expectBy", "listedAt", "line"],
            name={"type": "string"},
            state={"enum": [str(s) for s in CallerNameState]},
            detail={**NULLABLE_STRING, "description": "Why it failed"},
            submittedAt=TIMESTAMP,
            expectBy={**TIMESTAMP, "description": "When the listing should be everywhere (72 h)"},
            listedAt=NULLABLE_TIMESTAMP,
            line={"type": "string", "description": 'In words: "Listed: ACME SUPPORT"'},
        ),
        "type": ["object", "null"],
    },
    "CallerNameRequest": obj(["teamId", "name"], teamId=TEAM_ID, name=CALLER_NAME),
    "CallerNameResponse": obj(
        ["success", "phoneNumberId", "callerName"],
        success={"const": True},
        phoneNumberId=ID,
        callerName={**ref("CallerName"), "description": "null until a name is set"},
    ),
    "CampaignCallerNameRequest": obj(["name"], name=CALLER_NAME),
    "CampaignCallerNameResponse": obj(
        ["success", "campaignId", "name", "applied", "unchanged", "skipped", "failed"],
        success={"const": True},
        campaignId=ID,
        name={"type": "string"},
        applied={"type": "array", "items": obj(["id", "phoneNumber"], **BRIEF)},
        unchanged={"type": "array", "items": obj(["id", "phoneNumber"], **BRIEF)},
        skipped={
            "type": "array",
            "description": "Toll-free numbers (no caller name listing)",
            "items": obj(["id", "phoneNumber", "reason"], **BRIEF, reason={"type": "string"}),
        },
        failed={
            "type": "array",
            "items": obj(["id", "phoneNumber", "message"], **BRIEF, message={"type": "string"}),
        },
    ),
    "ReplaceRequest": obj(
        ["teamId"],
        teamId=TEAM_ID,
        scope={
            "enum": ["area_code", "region"],
            "description": "Where the replacement is from: the old number's area code "
            "(default) or its state or province",
        },
    ),
    "ReplaceResponse": obj(
        ["success", "replacement"],
        success={"const": True},
        replacement=obj(
            ["id", "oldPhoneNumberId", "phoneNumber", "status", "newPhoneNumberId"],
            id=ID,
            oldPhoneNumberId=ID,
            phoneNumber={"type": "string", "description": "The replacement, held in the cart"},
            status={"enum": [str(s) for s in ReplacementStatus]},
            newPhoneNumberId={**NULLABLE_STRING, "description": "Its id once bought"},
        ),
    ),
    "FillGapsResponse": obj(
        ["success", "campaignId", "held", "alreadyInCart", "missing"],
        success={"const": True},
        campaignId=ID,
        held={"type": "array", "items": HELD},
        alreadyInCart={
            "type": "array",
            "items": HELD,
            "description": "Gaps a number already in the team's cart fills (held before)",
        },
        missing={
            "type": "array",
            "items": obj(
                ["areaCode", "reason"], areaCode={"type": "string"}, reason={"type": "string"}
            ),
        },
    ),
}

_NUMBER = [path("numberId", NUMBER_ID)]
CALLER_NAME_PATHS: dict[str, Any] = {
    "/api/phone-numbers/{numberId}/caller-name": {
        "parameters": _NUMBER,
        "get": {
            "operationId": "getCallerName",
            "parameters": [TEAM],
            "responses": {**ok("CallerNameResponse"), **errors(404)},
        },
        "put": {
            "operationId": "setCallerName",
            "summary": "Set the caller-ID name (CNAM): submitted, then propagating for 24-72 "
            "hours, then listed; not for toll-free numbers",
            "requestBody": body("CallerNameRequest"),
            "responses": {**ok("CallerNameResponse"), **errors(404, 409, 502, 504)},
        },
    },
    "/api/campaigns/{campaignId}/caller-name": {
        "parameters": [path("campaignId", CAMPAIGN_ID)],
        "post": {
            "operationId": "setCampaignCallerName",
            "summary": "One caller-ID name for every active number of the campaign (toll-free "
            "numbers skipped, by name)",
            "requestBody": body("CampaignCallerNameRequest"),
            "responses": {**ok("CampaignCallerNameResponse"), **errors(404)},
        },
    },
    "/api/campaigns/{campaignId}/fill-gaps": {
        "parameters": [path("campaignId", CAMPAIGN_ID)],
        "post": {
            "operationId": "fillCampaignGaps",
            "summary": "Hold one number per missing area code in the team's cart",
            "requestBody": body("EmptyBody"),
            "responses": {**ok("FillGapsResponse"), **errors(404, 502, 504)},
        },
    },
    "/api/phone-numbers/{numberId}/replace": {
        "parameters": _NUMBER,
        "post": {
            "operationId": "replaceNumber",
            "summary": "Hold a number in the same area code (or state) in the cart as this "
            "one's replacement; buying it moves campaign, assistant and routing onto it and "
            "releases this one with the release grace. 409 no_number_nearby (with tryScope) "
            "when none is on offer",
            "requestBody": body("ReplaceRequest"),
            "responses": {
                **ok("ReplaceResponse", "Replacement held", "201"),
                **ok("ReplaceResponse", "The replacement already waiting (a retry)"),
                **errors(404, 409, 502, 504),
            },
        },
    },
}
