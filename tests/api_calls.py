"""Every API operation as a request that succeeds, and the fields each one reads.

The operations and their fields are read from the OpenAPI document, and the document is
checked to cover every route (tests/api/test_openapi.py), so a new endpoint or field reaches
the matrices that use this module by default: they fail until it has a baseline here.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

import sqlalchemy as sa

from app.api.openapi import DOCUMENT
from app.extensions import db
from app.models import (
    Assistant,
    AssistantDestination,
    AuditEvent,
    CallerName,
    Campaign,
    CampaignNumber,
    CartItem,
    IdempotencyRecord,
    NumberHealth,
    NumberOrder,
    NumberReplacement,
    NumberRouting,
    PhoneNumber,
    PurchaseRequest,
    Team,
    WebhookDelivery,
    WebhookEndpoint,
)
from app.models import Call as CallRecord
from tests.factories import Factory, Member, ask
from tests.helpers import sandbox_number


@dataclass
class Call:
    """One request: the operation's method and path template, and what fills it."""

    method: str
    template: str
    path: dict[str, str] = field(default_factory=dict)
    query: dict[str, str] = field(default_factory=dict)
    body: dict[str, Any] | None = None

    def url(self) -> str:
        def value(match: re.Match) -> str:
            return quote_part(self.path[match.group(1)])

        url = re.sub(r"\{(\w+)\}", value, self.template)
        if self.query:
            url += "?" + "&".join(f"{k}={quote_part(v)}" for k, v in self.query.items())
        return url

    def send(self, client, member: Member):
        return client.open(self.url(), method=self.method, json=self.body, headers=member.headers)


def quote_part(text: str) -> str:
    """Percent-encode for a URL; a lone surrogate as the (invalid) UTF-8 bytes a client sends."""
    return "".join(
        "%ED%"
        + format(0xA0 | (ord(ch) - 0xD800) >> 6, "X")
        + "%"
        + format(0x80 | ord(ch) & 0x3F, "X")
        if "\ud800" <= ch <= "\udfff"
        else quote(ch, safe="")
        for ch in text
    )


@dataclass(frozen=True)
class Operation:
    operation_id: str
    method: str
    template: str
    success: int


@dataclass(frozen=True)
class Field:
    """A value the operation reads: where it sits and its dotted name ("filters.areaCode")."""

    location: str  # path | query | body
    name: str
    item: bool = False  # the value is one item of a list (phoneNumberIds)


def operations() -> list[Operation]:
    found = []
    for template, item in DOCUMENT["paths"].items():
        for method, operation in item.items():
            if method == "parameters":
                continue
            success = next(int(s) for s in operation["responses"] if s.startswith("2"))
            found.append(Operation(operation["operationId"], method.upper(), template, success))
    return found


def fields(operation: Operation) -> list[Field]:
    item = DOCUMENT["paths"][operation.template]
    spec = item[operation.method.lower()]
    found = [
        Field(p["in"], p["name"])
        for p in [*item.get("parameters", []), *spec.get("parameters", [])]
        if p["in"] in ("path", "query")
    ]
    if "requestBody" in spec:
        schema = spec["requestBody"]["content"]["application/json"]["schema"]
        found += _body_fields(_resolve(schema), "")
    return found


def _resolve(schema: dict[str, Any]) -> dict[str, Any]:
    if "$ref" in schema:
        return DOCUMENT["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    return schema


def _body_fields(schema: dict[str, Any], prefix: str) -> list[Field]:
    found = []
    for name, sub in schema.get("properties", {}).items():
        sub = _resolve(sub)
        if sub.get("type") == "object":
            found += _body_fields(sub, f"{prefix}{name}.")
        else:
            found.append(Field("body", prefix + name, item=sub.get("type") == "array"))
    return found


def replace(call: Call, target: Field, value: Any) -> Call:
    """The call with one field's value replaced (the item of a list field, if it is one)."""
    if target.location == "path":
        call.path[target.name] = value
    elif target.location == "query":
        call.query[target.name] = value
    else:
        *parents, last = target.name.split(".")
        holder = call.body
        for parent in parents:
            holder = holder[parent]
        holder[last] = [value] if target.item else value
    return call


def _count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


DESTINATION = {
    "type": "sip",
    "address": "sip:front@sip.vapi.ai",
    "sipUsername": "desk",
    "sipPassword": "s3cret",
    "platform": "vapi",
    "platformId": "asst-123",
}


class World:
    """A Scale team with an owner, an admin and a member, and fresh things to act on."""

    def __init__(self, app, client):
        self.app, self.client = app, client
        factory = Factory(app)
        self.owner = factory.member("scale")
        self.admin = factory.member(team_id=self.owner.team_id, role="admin")
        self.member = factory.member(team_id=self.owner.team_id, role="member")
        self.factory = factory
        self._numbers = itertools.count()
        self._names = itertools.count()
        self._asked_for_list: list[str] = []
        # Endpoints on 127.0.0.1's discard port: a delivery fails at once, with no network.
        app.config["WEBHOOKS_ALLOW_PRIVATE"] = True
        self._hooks = itertools.count()

    @property
    def team_id(self) -> str:
        return self.owner.team_id

    def snapshot(self) -> tuple:
        """Everything a call could change: numbers, assistants, holds, orders, purchase
        requests, History, the team's version and guardrails, and the Idempotency-Keys claimed."""
        with self.app.app_context():
            rows = db.session.execute
            numbers = sa.select(
                PhoneNumber.id, PhoneNumber.status, PhoneNumber.label, PhoneNumber.assistant_id
            )
            return (
                sorted(rows(numbers).all()),
                sorted(rows(sa.select(Assistant.id, Assistant.name)).all()),
                sorted(db.session.scalars(sa.select(CartItem.id))),
                [_count(model) for model in (NumberOrder, AuditEvent, IdempotencyRecord)],
                [_count(model) for model in (CallRecord, NumberRouting, AssistantDestination)],
                sorted(rows(sa.select(PurchaseRequest.id, PurchaseRequest.status)).all()),
                sorted(
                    rows(
                        sa.select(Team.id, Team.version, Team.spend_cap, Team.approval_required)
                    ).all()
                ),
                sorted(
                    rows(
                        sa.select(
                            WebhookEndpoint.id,
                            WebhookEndpoint.url,
                            WebhookEndpoint.events,
                            WebhookEndpoint.enabled,
                            WebhookEndpoint.secret,
                        )
                    ).all()
                ),
                sorted(rows(sa.select(WebhookDelivery.id, WebhookDelivery.status)).all()),
                sorted(
                    (c.id, c.name, c.paused, c.daily_cap, c.cooldown_seconds, str(c.coverage))
                    for c in db.session.scalars(sa.select(Campaign))
                ),
                sorted(
                    rows(
                        sa.select(
                            CampaignNumber.phone_number_id,
                            CampaignNumber.campaign_id,
                            CampaignNumber.used_today,
                        )
                    ).all()
                ),
                sorted(
                    rows(sa.select(NumberHealth.phone_number_id, NumberHealth.rest_until)).all()
                ),
                sorted(rows(sa.select(CallerName.phone_number_id, CallerName.name)).all()),
                _count(NumberReplacement),
            )

    def fresh_number(self) -> str:
        """A number the team holds (written straight to the table: no rate limit to spend)."""
        return self.factory.number(self.owner, self.spare_number())

    def resting_number(self) -> str:
        """A number the owner has rested from campaigns (through the API)."""
        number_id = self.fresh_number()
        rested = self.client.post(
            f"/api/phone-numbers/{number_id}/rest",
            json={"teamId": self.team_id},
            headers=self.owner.headers,
        )
        assert rested.status_code == 200, rested.get_json()
        return number_id

    def released_number(self) -> str:
        """A number of the team whose release waits out its grace window (undoable)."""
        number = self.fresh_number()
        response = self.client.delete(
            f"/api/phone-numbers/{number}",
            query_string={"teamId": self.team_id},
            headers=self.owner.headers,
        )
        assert response.get_json()["phoneNumber"]["status"] == "releasing", response.get_json()
        return number

    def spare_number(self, index: int | None = None) -> str:
        """A sandbox number nobody holds yet."""
        index = next(self._numbers) if index is None else index
        return sandbox_number(f"{202 + index // 100}", index % 100)

    def answering_number(self) -> str:
        """A number whose assistant answers at a SIP address (Call me can ring it)."""
        assistant = self.fresh_assistant()
        answer = self.client.patch(
            f"/api/assistants/{assistant}",
            json={"teamId": self.team_id, "destination": DESTINATION},
            headers=self.owner.headers,
        )
        assert answer.status_code == 200, answer.get_data(as_text=True)
        return self.factory.number(self.owner, self.spare_number(), assistant_id=assistant)

    def fresh_assistant(self) -> str:
        return self.factory.assistant(self.owner, self.fresh_name())

    def fresh_name(self) -> str:
        return f"Agent {next(self._names)}"

    def routing(self) -> dict:
        """Every routing field, set (the hostile matrix replaces each in turn)."""
        first, second = self.fresh_assistant(), self.fresh_assistant()
        return {
            "inbound": {
                "assistants": [
                    {"assistantId": first, "weight": 70},
                    {"assistantId": second, "weight": 30},
                ],
                "fallback": {"type": "phone", "address": "+14155550199"},
                "answerTimeoutSeconds": 25,
                "blocklist": ["+1900"],
                "allowedCountries": ["US"],
                "timeZone": "America/New_York",
                "hours": [{"day": "mon", "start": "09:00", "end": "17:00"}],
                "afterHours": {"type": "sip", "address": "sip:vm@pbx.example.com"},
            },
            "outbound": {"assistantIds": [first], "teamDefault": True},
        }

    def tested_number(self) -> str:
        """A number with one routing test in the log (no assistant: the fallback took it)."""
        number = self.fresh_number()
        self.client.patch(
            f"/api/phone-numbers/{number}",
            json={
                "teamId": self.team_id,
                "routing": {"inbound": {"fallback": {"type": "phone", "address": "+14155550199"}}},
            },
            headers=self.owner.headers,
        )
        answer = self.client.post(
            f"/api/phone-numbers/{number}/test-call",
            json={"teamId": self.team_id, "from": "+14155550123"},
            headers=self.owner.headers,
        )
        assert answer.status_code == 200, answer.get_data(as_text=True)
        return number

    def fresh_campaign(self, numbers: int = 0) -> str:
        """A campaign of the team's, with this many fresh numbers in its pool."""
        made = self.client.post(
            "/api/campaigns",
            json={"teamId": self.team_id, "name": f"Campaign {next(self._names)}"},
            headers=self.owner.headers,
        )
        campaign = made.get_json()["campaign"]["id"]
        if numbers:
            added = self.client.post(
                f"/api/campaigns/{campaign}/phone-numbers",
                json={"phoneNumberIds": [self.fresh_number() for _ in range(numbers)]},
                headers=self.owner.headers,
            )
            assert added.status_code == 200, added.get_data(as_text=True)
        return campaign

    def asked(self) -> str:
        """A purchase request of the member's, waiting for approval."""
        return ask(self.app, self.member, self.spare_number())

    def endpoint(self) -> str:
        """A webhook endpoint of the team (made through the API). Older ones are dropped
        first: a team has at most 10, and the hostile-input matrix asks for hundreds."""
        with self.app.app_context():
            db.session.execute(sa.delete(WebhookEndpoint))
            db.session.commit()
        response = self.client.post(
            "/api/webhook-endpoints",
            json={
                "teamId": self.team_id,
                "url": f"http://127.0.0.1:9/hooks/{next(self._hooks)}",
                "events": ["number.bought"],
            },
            headers=self.owner.headers,
        )
        return response.get_json()["endpoint"]["id"]

    def finished_delivery(self, endpoint_id: str) -> str:
        """A test event's delivery to the endpoint, given up (so it can be resent)."""
        response = self.client.post(
            f"/api/webhook-endpoints/{endpoint_id}/test", json={}, headers=self.owner.headers
        )
        delivery_id = response.get_json()["delivery"]["id"]
        with self.app.app_context():
            db.session.execute(
                sa.update(WebhookDelivery)
                .where(WebhookDelivery.id == delivery_id)
                .values(status="failed", finished_at=WebhookDelivery.created_at)
            )
            db.session.commit()
        return delivery_id

    def cursor(self) -> str:
        self.fresh_number()
        self.fresh_number()
        response = self.client.get(
            "/api/phone-numbers/purchase",
            query_string={"teamId": self.team_id, "limit": "1"},
            headers=self.owner.headers,
        )
        return response.get_json()["nextCursor"]

    def baseline(self, operation: Operation) -> Call:
        """A request for the operation that succeeds for the owner; one per operation."""
        team = self.team_id
        call = Call(operation.method, operation.template)
        match operation.operation_id:
            case "searchNumbers":
                call.body = {
                    "filters": {
                        "countryCode": "US",
                        "areaCode": "415",
                        "numberType": "local",
                        "limit": 5,
                    }
                }
            case "purchaseNumber":
                call.body = {
                    "phoneNumber": self.spare_number(),
                    "teamId": team,
                    "connectionId": "conn-1",
                }
            case "orderNumbers":
                call.body = {"teamId": team, "phoneNumbers": [self.spare_number()] * 2}
            case "getOrder":
                made = self.client.post(
                    "/api/phone-numbers/orders",
                    json={"teamId": team, "phoneNumbers": [self.spare_number()]},
                    headers=self.owner.headers,
                )
                call.path = {"orderId": made.get_json()["order"]["id"]}
                call.query = {"teamId": team}
            case "holdNumber":
                call.body = {"teamId": team, "phoneNumber": self.spare_number()}
            case "listHolds":
                call.query = {"teamId": team}
            case "dropHold":
                made = self.client.post(
                    "/api/phone-numbers/holds",
                    json={"teamId": team, "phoneNumber": self.spare_number()},
                    headers=self.owner.headers,
                )
                call.path = {"holdId": made.get_json()["hold"]["id"]}
                call.query = {"teamId": team}
            case "listNumbers":
                call.query = {"teamId": team, "limit": "5", "cursor": self.cursor()}
                call.query.update(q="555", status="active", numberType="local")
                call.query.update(countryCode="US", sort="-created")
            case "exportNumbers":
                call.query = {"teamId": team, "q": "555", "status": "active", "sort": "number"}
                call.query.update(numberType="local", countryCode="US")
            case "labelNumber":
                call.path = {"numberId": self.fresh_number()}
                call.body = {"teamId": team, "label": "Front desk", "routing": self.routing()}
            case "getNumber":
                call.path = {"numberId": self.fresh_number()}
                call.query = {"teamId": team}
            case "testRouting":
                call.path = {"numberId": self.fresh_number()}
                call.body = {"teamId": team, "from": "+14155550123", "at": "2026-12-01T10:00"}
                call.body.update(roll=10, sendWebhook=False)
            case "callMe":
                call.path = {"numberId": self.answering_number()}
                call.body = {"teamId": team, "to": "+14155550888"}
            case "listCalls":
                number = self.tested_number()
                call.query = {"teamId": team, "limit": "5", "phoneNumberId": number}
                call.query.update(outcome="fallback", test="true", since="2026-01-01T00:00:00Z")
            case "exportCalls":
                call.query = {"teamId": team, "phoneNumberId": self.tested_number()}
                call.query.update(outcome="fallback", test="true", since="2026-01-01T00:00:00Z")
            case "releaseNumber":
                call.path = {"numberId": self.fresh_number()}
                call.query = {"teamId": team}
            case "undoRelease":
                call.path = {"numberId": self.released_number()}
                call.body = {"teamId": team}
            case "listAssistants":
                call.query = {"teamId": team, "include": "routing"}
            case "createAssistant":
                call.body = {"teamId": team, "name": self.fresh_name()}
                call.body["destination"] = {"type": "sip", "address": "sip:a@sip.vapi.ai"}
            case "renameAssistant":
                call.path = {"assistantId": self.fresh_assistant()}
                call.body = {"name": self.fresh_name(), "destination": DESTINATION}
            case "deleteAssistant":
                call.path = {"assistantId": self.fresh_assistant()}
            case "assignNumbers":
                call.path = {"assistantId": self.fresh_assistant()}
                call.body = {"phoneNumberIds": [self.fresh_number()]}
            case "unassignNumber":
                number = self.fresh_number()
                call.path = {"assistantId": self.fresh_assistant(), "numberId": number}
                self.client.post(
                    f"/api/assistants/{call.path['assistantId']}/phone-numbers",
                    json={"phoneNumberIds": [number]},
                    headers=self.owner.headers,
                )
            case "getGuardrails":
                call.path = {"teamId": team}
            case "setGuardrails":
                call.path = {"teamId": team}
                call.body = {
                    "monthlySpendCap": "50.00",
                    "approvalRequired": True,
                    "approvalAbove": "20.00",
                }
            case "listPurchaseRequests":
                if not self._asked_for_list:  # once: a team holds at most 20 numbers
                    self._asked_for_list = [self.asked(), self.asked()]
                call.query = {"teamId": team, "status": "pending", "limit": "10"}
            case "approvePurchaseRequest":
                call.path = {"requestId": self.asked()}
                call.body = {"teamId": team}
            case "denyPurchaseRequest":
                call.path = {"requestId": self.asked()}
                call.body = {"teamId": team, "note": "Use the support line"}
            case "listWebhookEndpoints":
                call.query = {"teamId": team}
            case "createWebhookEndpoint":
                call.body = {
                    "teamId": team,
                    "url": f"https://93.184.215.14/hooks/{next(self._hooks)}",
                    "events": ["number.bought", "plan.changed"],
                    "description": "CRM",
                }
            case "getWebhookEndpoint" | "deleteWebhookEndpoint":
                call.path = {"endpointId": self.endpoint()}
            case "rotateWebhookSecret":
                call.path = {"endpointId": self.endpoint()}
                call.body = {}
            case "updateWebhookEndpoint":
                call.path = {"endpointId": self.endpoint()}
                call.body = {
                    "url": "https://93.184.215.14/other",
                    "events": ["plan.changed"],
                    "description": "Billing",
                    "enabled": False,
                }
            case "listWebhookDeliveries":
                call.path = {"endpointId": self.endpoint()}
                call.query = {"limit": "10"}
            case "sendTestWebhook":
                call.path = {"endpointId": self.endpoint()}
                call.body = {}
            case "resendWebhookDelivery":
                endpoint = self.endpoint()
                call.path = {"endpointId": endpoint, "deliveryId": self.finished_delivery(endpoint)}
                call.body = {}
            case "listCampaigns":
                call.query = {"teamId": team}
            case "createCampaign":
                call.body = {"teamId": team, "name": self.fresh_name(), "dailyCap": 50}
                call.body.update(cooldownSeconds=30, assistantIds=[self.fresh_assistant()])
            case "getCampaign":
                call.path = {"campaignId": self.fresh_campaign(numbers=1)}
            case "updateCampaign":
                call.path = {"campaignId": self.fresh_campaign()}
                call.body = {"name": self.fresh_name(), "paused": True, "dailyCap": 20}
                call.body.update(cooldownSeconds=60, assistantIds=[self.fresh_assistant()])
            case "deleteCampaign":
                call.path = {"campaignId": self.fresh_campaign(numbers=1)}
            case "addCampaignNumbers":
                call.path = {"campaignId": self.fresh_campaign()}
                call.body = {"phoneNumberIds": [self.fresh_number()]}
            case "removeCampaignNumber":
                number = self.fresh_number()
                call.path = {"campaignId": self.fresh_campaign(), "numberId": number}
                self.client.post(
                    f"/api/campaigns/{call.path['campaignId']}/phone-numbers",
                    json={"phoneNumberIds": [number]},
                    headers=self.owner.headers,
                )
            case "chooseCallerId":
                call.path = {"campaignId": self.fresh_campaign(numbers=1)}
                call.body = {"to": "+14155550123"}
            case "setCoverage":
                call.path = {"campaignId": self.fresh_campaign(numbers=1)}
                call.body = {"destinations": ["415", "+12025550123", "+12125550123"]}
            case "getNumberHealth":
                call.path = {"numberId": self.fresh_number()}
                call.query = {"teamId": team}
            case "restNumber":
                call.path = {"numberId": self.fresh_number()}
                call.body = {"teamId": team, "days": 3}
            case "wakeNumber":
                call.path = {"numberId": self.resting_number()}
                call.body = {"teamId": team}
            case "getCallerName":
                call.path = {"numberId": self.fresh_number()}
                call.query = {"teamId": team}
            case "setCallerName":
                call.path = {"numberId": self.fresh_number()}
                call.body = {"teamId": team, "name": "ACME SUPPORT"}
            case "setCampaignCallerName":
                call.path = {"campaignId": self.fresh_campaign(numbers=1)}
                call.body = {"name": "ACME SUPPORT"}
            case "fillCampaignGaps":
                call.path = {"campaignId": self.fresh_campaign(numbers=1)}
                call.body = {}
            case "replaceNumber":
                call.path = {"numberId": self.fresh_number()}
                call.body = {"teamId": team}
            case unknown:
                raise AssertionError(f"tests/api_calls.py: add a baseline request for {unknown}")
        return call
