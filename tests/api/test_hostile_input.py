"""Every field of every API operation against hostile input: Unicode and superscript digits,
lone surrogates, NUL bytes, invisible and direction-override characters, JSON nested 20,000
levels deep. Each answer is the one right answer for that field, never a 5xx.

Operations and fields come from the OpenAPI document (tests/api_calls.py): a new endpoint or
field fails here until its expected answers are written down below.
"""

from __future__ import annotations

import base64
import json

import pytest

from app.extensions import db
from app.models import Assistant, Campaign, PhoneNumber, PurchaseRequest
from tests.api_calls import Call, World, fields, operations, replace

HOSTILE = {
    "devanagari digits": "\u096a\u0967\u096b",
    "arabic-indic digits": "\u0664\u0661\u0665",
    "fullwidth digits": "\uff14\uff11\uff15",
    "superscript two": "\u00b2",
    "lone surrogate": "\ud800",
    "nul byte": "a\x00b",
    "zero-width only": "\u200b\u200d\ufeff",
    "bidi override": "\u202eevil\u202c",
}
UNSTORABLE = {"lone surrogate", "nul byte"}
DEEP = 20_000

# What each field does with hostile text (the field's dotted name in the document).
# Cleaned and stored; unstorable text is a 400 naming the field.
TEXT = {"name", "label", "note", "description"}
IDS = {
    "teamId",
    "numberId",
    "assistantId",
    "phoneNumberIds",
    "orderId",
    "holdId",
    "requestId",
    "endpointId",
    "deliveryId",
}
IDS |= {"campaignId", "assistantIds"}
STRICT = {  # a closed format: a 400 naming the field
    "phoneNumber",
    "filters.countryCode",
    "filters.areaCode",
    "filters.numberType",
    "filters.limit",
    "filters.features",
    "filters.contains",
    "filters.startsWith",
    "filters.endsWith",
    "filters.sort",
    "phoneNumbers",
    "limit",
    "cursor",
    # The list's filters (also the CSV export's): closed sets.
    "status",
    "numberType",
    "countryCode",
    "sort",
    # The guardrails: amounts as USD text, and a switch.
    "monthlySpendCap",
    "approvalAbove",
    "approvalRequired",
    "scope",  # Replace's: area_code or region
    "days",  # Rest: whole days, 1 to 30
    # Call routing: a number's rules, the routing test, the call log's filters, include=.
    "routing.inbound.assistants",
    "routing.inbound.fallback",
    "routing.inbound.answerTimeoutSeconds",
    "routing.inbound.blocklist",
    "routing.inbound.allowedCountries",
    "routing.inbound.timeZone",
    "routing.inbound.hours",
    "routing.inbound.afterHours",
    "routing.outbound.assistantIds",
    "routing.outbound.teamDefault",
    "from",
    "to",  # Call me: the phone to ring
    "at",
    "roll",
    "sendWebhook",
    "outcome",
    "test",
    "since",
    "include",
    # An assistant's destination: a closed format however it is sent.
    "destination",
    # Webhook endpoints: a URL (checked, and resolved), a closed set of events, a switch.
    "url",
    "events",
    "enabled",
    # Campaigns: caps, the pause switch, and the destinations to cover.
    "dailyCap",
    "cooldownSeconds",
    "paused",
    "destinations",
}
LISTS = {"listNumbers", "exportNumbers", "listCalls", "exportCalls"}
OPAQUE = {"connectionId"}  # passed to the provider as given: any printable text
# Operations whose "name" is a caller-ID name: letters, digits, spaces, periods, commas.
CALLER_NAMES = {"setCallerName", "setCampaignCallerName"}
# Names of places, passed to the provider: any printable text (a search that finds nothing).
PLACES = {"filters.locality", "filters.region"}


@pytest.fixture
def world(app, client):
    return World(app, client)


def expected(target, kind: str, operation) -> tuple[int, str | None]:
    """(status, error code) this field owes this input; code None for a success."""
    name = target.name
    if operation.operation_id in LISTS and name in ("assistantId", "phoneNumberId"):
        return 400, "invalid_request"  # a filter: not an id at all is a bad filter, not a 404
    if operation.operation_id in LISTS and name == "q":
        # Search text is cleaned like a name; a NUL is refused. (A lone surrogate cannot
        # travel in a URL: werkzeug decodes its bytes to U+FFFD, plain text.)
        return (400, "invalid_request") if kind == "nul byte" else (operation.success, None)
    if name in IDS:
        code = "team_not_found" if name == "teamId" else "not_found"
        return 404, code
    if operation.operation_id in CALLER_NAMES and name == "name":
        return 400, "invalid_request"  # a caller name is a closed format (CNAM's characters)
    if name in STRICT:
        return 400, "invalid_request"
    if name in TEXT:
        if kind in UNSTORABLE or (name == "name" and kind == "zero-width only"):
            return 400, "invalid_request"
        return operation.success, None
    if name in PLACES:
        printable = kind not in UNSTORABLE | {"zero-width only", "bidi override"}
        return (operation.success, None) if printable else (400, "invalid_request")
    if name in OPAQUE:
        printable = kind not in UNSTORABLE | {"zero-width only", "bidi override"}
        return (operation.success, None) if printable else (400, "invalid_request")
    raise AssertionError(f"{operation.operation_id}: say what {name} owes hostile input")


@pytest.mark.parametrize("operation", operations(), ids=lambda op: op.operation_id)
def test_every_field_answers_hostile_text_with_the_one_right_answer(app, client, world, operation):
    wrong = []
    for target in fields(operation):
        for kind, text in HOSTILE.items():
            call = replace(world.baseline(operation), target, text)
            response = call.send(client, world.owner)
            if problem := judge(app, operation, target, kind, response):
                wrong.append(f"{target.name} <- {kind}: {problem}")
    assert not wrong, "\n".join(wrong)


def judge(app, operation, target, kind, response) -> str | None:
    """What is wrong with the answer, or None if it is the one right answer."""
    status, code = expected(target, kind, operation)
    if code is None and response.mimetype == "text/csv":  # the export, answered
        return None if response.status_code == status else f"{response.status_code}, want {status}"
    body = response.get_json()
    if response.status_code != status or body is None:
        return f"{response.status_code} (want {status}): {response.get_data(as_text=True)[:200]}"
    if code is None:
        stored = stored_text(app, body, target)
        if body["success"] is not True or stored not in (None, clean(HOSTILE[kind])):
            return f"stored {stored!r}"
        return None
    error = body["error"]
    if body["success"] is not False or error["code"] != code or not error["message"]:
        return f"envelope {body}"
    named = error.get("fields", {})
    # A list field's item is named with its place ("routing.inbound.blocklist[0]").
    if status == 400 and not any(
        k == target.name or k.startswith(f"{target.name}[") for k in named
    ):
        return f"fields do not name {target.name}: {error}"
    return None


def clean(text: str) -> str | None:
    """What the shared cleaner keeps of hostile text: invisible characters go ("" for none)."""
    kept = text.replace("\u202e", "").replace("\u202c", "")
    kept = "".join(ch for ch in kept if ch not in "\u200b\u200d\ufeff")
    return kept


def stored_text(app, body, target) -> str | None:
    """The text as stored, for the fields that are stored and shown."""
    with app.app_context():
        if target.name == "name" and "assistant" in body:
            return db.session.get(Assistant, body["assistant"]["id"]).name
        if target.name == "name" and "campaign" in body:
            return db.session.get(Campaign, body["campaign"]["id"]).name
        if target.name == "label":
            return db.session.get(PhoneNumber, body["phoneNumber"]["id"]).label or ""
        if target.name == "note":
            return db.session.get(PurchaseRequest, body["request"]["id"]).reason or ""
    return None


@pytest.mark.parametrize(
    "operation", [op for op in operations() if op.method != "GET"], ids=lambda op: op.operation_id
)
def test_json_nested_deep_is_a_400_on_every_operation(client, world, operation):
    """As the whole body, and as the value of each body field; 20,000 levels, under 64 KB."""
    deep = "[" * DEEP + "]" * DEEP
    call = world.baseline(operation)
    response = client.open(
        call.url(),
        method=call.method,
        data=deep,
        content_type="application/json",
        headers={**world.owner.headers, "Idempotency-Key": "deep-body"},
    )
    assert_deep_refused(response)
    for target in fields(operation):
        if target.location == "body":
            body = replace(world.baseline(operation), target, "DEEP").body
            text = json.dumps(body).replace('"DEEP"', deep)
            response = client.open(
                call.url(),
                method=call.method,
                data=text,
                content_type="application/json",
                headers=world.owner.headers,
            )
            assert_deep_refused(response)


def assert_deep_refused(response) -> None:
    if response.request.method == "DELETE":
        # No body is read: the body is ignored, and the request is answered as it would be.
        assert response.status_code == 200, response.get_json()
        return
    assert response.status_code == 400, response.get_data(as_text=True)[:300]
    error = response.get_json()["error"]
    assert error["code"] == "invalid_request"
    assert "nested more than" in error["message"]


def test_a_cursor_that_decodes_to_hostile_json_is_a_400(client, world):
    def cursor(value) -> str:
        return base64.urlsafe_b64encode(value.encode()).decode().rstrip("=")

    for raw in (
        "[" * 1_200 + "]" * 1_200,  # refused for its length before it is decoded
        "[" * 70 + "]" * 70,
        json.dumps(["2026-01-01T00:00:00+00:00", "pn_\x00"]),
        json.dumps(["2026-01-01T00:00:00\x00+00:00", "pn_" + "0" * 26]),
        json.dumps(["2026-01-01T00:00:00+00:00", "pn_" + "0" * 26, "extra"]),
        json.dumps({"a": 1}),
    ):
        call = Call(
            "GET",
            "/api/phone-numbers/purchase",
            query={"teamId": world.team_id, "limit": "5", "cursor": cursor(raw)},
        )
        response = call.send(client, world.owner)
        assert response.status_code == 400, (raw[:60], response.get_json())
        assert "cursor" in response.get_json()["error"]["fields"]
