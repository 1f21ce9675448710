"""Campaigns in the OpenAPI document: the pool, the caller-ID choice and coverage."""

from __future__ import annotations

from typing import Any

from app.api.openapi.schemas import (
    ASSISTANT_ID,
    E164,
    ID,
    NAME,
    NULLABLE_STRING,
    NULLABLE_TIMESTAMP,
    NUMBER_ID,
    TEAM,
    TEAM_ID,
    TIMESTAMP,
    body,
    errors,
    id_of,
    obj,
    ok,
    path,
)
from app.campaigns.coverage import MAX_DESTINATIONS
from app.campaigns.pool import MAX_NUMBERS
from app.campaigns.service import MAX_CAP, MAX_COOLDOWN

CAMPAIGN_ID = id_of("camp")
REASONS = ["sticky", "area_code", "region", "nearest", "country", "any"]
SETTINGS: dict[str, Any] = {
    "dailyCap": {
        "type": "integer",
        "minimum": 1,
        "maximum": MAX_CAP,
        "description": "Calls each number may place per UTC day (default 100)",
    },
    "cooldownSeconds": {
        "type": "integer",
        "minimum": 0,
        "maximum": MAX_COOLDOWN,
        "description": "Seconds between two calls from one number (default 0)",
    },
    "assistantIds": {
        "type": "array",
        "maxItems": 100,
        "items": ASSISTANT_ID,
        "description": "The assistants that call out from the pool",
    },
}
COVERAGE = {
    "type": ["object", "null"],
    "description": "null until destinations are sent",
    "required": ["destinations", "covered", "share", "missingAreaCodes", "places"],
    "properties": {
        "destinations": {"type": "integer", "minimum": 0},
        "covered": {"type": "integer", "minimum": 0},
        "share": {"type": "number", "minimum": 0, "maximum": 1},
        "missingAreaCodes": {"type": "array", "items": {"type": "string"}},
        "places": {
            "type": "array",
            "items": obj(
                ["place", "destinations", "covered", "region"],
                place={"type": "string", "description": "An area code, or a country elsewhere"},
                destinations={"type": "integer", "minimum": 1},
                covered={"type": "boolean"},
                region=NULLABLE_STRING,
            ),
        },
    },
}
POOL_NUMBER = obj(
    ["id", "phoneNumber", "areaCode", "region", "usedToday", "lastUsedAt", "restUntil"],
    id=ID,
    phoneNumber={"type": "string"},
    areaCode=NULLABLE_STRING,
    region={**NULLABLE_STRING, "description": "ISO 3166-2 (US-CA) or a NANP country code"},
    usedToday={"type": "integer", "minimum": 0},
    lastUsedAt=NULLABLE_TIMESTAMP,
    restUntil=NULLABLE_TIMESTAMP,
)

CAMPAIGN_SCHEMAS: dict[str, Any] = {
    "Campaign": obj(
        ["id", "team_id", "name", "paused", "dailyCap", "cooldownSeconds", "assistantIds"],
        id=ID,
        team_id=ID,
        name={"type": "string"},
        paused={"type": "boolean"},
        dailyCap={"type": "integer"},
        cooldownSeconds={"type": "integer"},
        assistantIds={"type": "array", "items": {"type": "string"}},
        created_at=TIMESTAMP,
        phoneNumberCount={"type": "integer", "minimum": 0},
        phoneNumbers={"type": "array", "items": POOL_NUMBER},
        coverage=COVERAGE,
    ),
    "CampaignList": obj(
        ["success", "campaigns", "count"],
        success={"const": True},
        campaigns={"type": "array", "items": {"$ref": "#/components/schemas/Campaign"}},
        count={"type": "integer", "minimum": 0},
    ),
    "CampaignCreate": obj(["teamId", "name"], teamId=TEAM_ID, name=NAME, **SETTINGS),
    "CampaignUpdate": {
        **obj([], name=NAME, paused={"type": "boolean"}, **SETTINGS),
        "minProperties": 1,
    },
    "CampaignResponse": obj(
        ["success", "campaign"],
        success={"const": True},
        campaign={"$ref": "#/components/schemas/Campaign"},
    ),
    "CampaignDeleted": obj(
        ["success", "id", "deleted"], success={"const": True}, id=ID, deleted={"const": True}
    ),
    "CampaignNumbersRequest": obj(
        ["phoneNumberIds"],
        phoneNumberIds={
            "type": "array",
            "minItems": 1,
            "maxItems": MAX_NUMBERS,
            "items": NUMBER_ID,
        },
    ),
    "CampaignNumbersAdded": obj(
        ["success", "campaignId", "phoneNumberIds", "added"],
        success={"const": True},
        campaignId=ID,
        phoneNumberIds={"type": "array", "items": {"type": "string"}},
        added={"type": "integer", "minimum": 0},
    ),
    "CampaignNumberRemoved": obj(
        ["success", "campaignId", "phoneNumberId", "removed"],
        success={"const": True},
        campaignId=ID,
        phoneNumberId=ID,
        removed={"type": "boolean", "description": "false: it was not in the campaign"},
    ),
    "CallerIdRequest": obj(["to"], to=E164),
    "CallerIdResponse": obj(
        ["success", "campaignId", "phoneNumber", "reason", "usedToday"],
        success={"const": True},
        campaignId=ID,
        phoneNumber=obj(["id", "phoneNumber"], id=ID, phoneNumber={"type": "string"}),
        reason={
            "enum": REASONS,
            "description": "The rule that chose it: the recipient's last number, their area "
            "code, their state/province, the nearest state/province, their country, any",
        },
        usedToday={"type": "integer", "minimum": 1},
    ),
    "CoverageRequest": obj(
        ["destinations"],
        destinations={
            "type": "array",
            "minItems": 1,
            "maxItems": MAX_DESTINATIONS,
            "items": {
                "type": "string",
                "pattern": r"^([2-9][0-9]{2}|\+[1-9][0-9]{1,14})$",
                "description": "A North American area code, or a number in E.164",
            },
        },
    ),
    "CoverageResponse": obj(
        ["success", "campaignId", "coverage"],
        success={"const": True},
        campaignId=ID,
        coverage=COVERAGE,
    ),
}

_ONE = [path("campaignId", CAMPAIGN_ID)]
CAMPAIGN_PATHS: dict[str, Any] = {
    "/api/campaigns": {
        "get": {
            "operationId": "listCampaigns",
            "parameters": [TEAM],
            "responses": {**ok("CampaignList"), **errors(404)},
        },
        "post": {
            "operationId": "createCampaign",
            "requestBody": body("CampaignCreate"),
            "responses": {**ok("CampaignResponse", "Created", "201"), **errors(403, 404, 409)},
        },
    },
    "/api/campaigns/{campaignId}": {
        "parameters": _ONE,
        "get": {
            "operationId": "getCampaign",
            "summary": "The campaign, its pool (each number's use today) and its coverage",
            "responses": {**ok("CampaignResponse"), **errors(404)},
        },
        "patch": {
            "operationId": "updateCampaign",
            "summary": "Rename, pause or resume, change caps or assistants",
            "requestBody": body("CampaignUpdate"),
            "responses": {**ok("CampaignResponse"), **errors(403, 404, 409)},
        },
        "delete": {
            "operationId": "deleteCampaign",
            "summary": "Delete it; its numbers stay the team's",
            "responses": {**ok("CampaignDeleted"), **errors(403, 404)},
        },
    },
    "/api/campaigns/{campaignId}/phone-numbers": {
        "parameters": _ONE,
        "post": {
            "operationId": "addCampaignNumbers",
            "summary": "Put numbers in the pool (all or nothing; a number moves from another)",
            "requestBody": body("CampaignNumbersRequest"),
            "responses": {**ok("CampaignNumbersAdded"), **errors(403, 404)},
        },
    },
    "/api/campaigns/{campaignId}/phone-numbers/{numberId}": {
        "parameters": [*_ONE, path("numberId", NUMBER_ID)],
        "delete": {
            "operationId": "removeCampaignNumber",
            "responses": {**ok("CampaignNumberRemoved"), **errors(403, 404)},
        },
    },
    "/api/campaigns/{campaignId}/caller-id": {
        "parameters": _ONE,
        "post": {
            "operationId": "chooseCallerId",
            "summary": "The number to call `to` from, and why (counts toward its daily cap)",
            "requestBody": body("CallerIdRequest"),
            "responses": {**ok("CallerIdResponse"), **errors(404, 409)},
        },
    },
    "/api/campaigns/{campaignId}/coverage": {
        "parameters": _ONE,
        "put": {
            "operationId": "setCoverage",
            "summary": "The destinations the campaign will call; answers their coverage",
            "requestBody": body("CoverageRequest"),
            "responses": {**ok("CoverageResponse"), **errors(403, 404)},
        },
    },
}
