"""The OpenAPI document describes every endpoint, and real answers match it."""

import re

import jsonschema
import pytest

from app.api.openapi import DOCUMENT
from tests.helpers import PURCHASE, SEARCH, buy, sandbox_number

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning:jsonschema")


def check(response, template: str, method: str):
    """Validate the response body against the document's schema for its status."""
    operation = DOCUMENT["paths"][template][method]
    documented = operation["responses"]
    status = str(response.status_code)
    assert status in documented, f"{method.upper()} {template} answered undocumented {status}"
    schema = dict(documented[status]["content"]["application/json"]["schema"])
    schema["components"] = DOCUMENT["components"]
    jsonschema.Draft202012Validator(schema).validate(response.get_json())
    return response


def test_the_document_is_served_without_auth(client):
    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    assert response.get_json()["openapi"] == "3.1.0"
    jsonschema.Draft202012Validator.check_schema(
        {"$defs": response.get_json()["components"]["schemas"]}
    )


def test_no_schema_name_is_used_twice():
    """Each module's schemas are merged into one map: a name used twice would hide one."""
    from app.api.openapi.caller_names import CALLER_NAME_SCHEMAS
    from app.api.openapi.campaigns import CAMPAIGN_SCHEMAS
    from app.api.openapi.guardrails import GUARDRAIL_SCHEMAS
    from app.api.openapi.health import HEALTH_SCHEMAS
    from app.api.openapi.orders import ORDER_SCHEMAS
    from app.api.openapi.releases import RELEASE_SCHEMAS
    from app.api.openapi.routing import ROUTING_SCHEMAS
    from app.api.openapi.schemas import SCHEMAS
    from app.api.openapi.search import SEARCH_SCHEMAS
    from app.api.openapi.webhooks import WEBHOOK_SCHEMAS

    parts = (
        SCHEMAS,
        SEARCH_SCHEMAS,
        ORDER_SCHEMAS,
        GUARDRAIL_SCHEMAS,
        RELEASE_SCHEMAS,
        ROUTING_SCHEMAS,
        WEBHOOK_SCHEMAS,
        CAMPAIGN_SCHEMAS,
        HEALTH_SCHEMAS,
        CALLER_NAME_SCHEMAS,
    )
    assert len(DOCUMENT["components"]["schemas"]) == sum(len(part) for part in parts)


def test_every_api_route_is_documented(app):
    documented = {
        (re.sub(r"\{(\w+)\}", "<>", p), m.upper())
        for p, item in DOCUMENT["paths"].items()
        for m in item
        if m != "parameters"
    }
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/") and rule.endpoint != "api.openapi_document":
            for method in rule.methods - {"HEAD", "OPTIONS"}:
                assert (re.sub(r"<[^>]+>", "<>", rule.rule), method) in documented, rule


def test_real_answers_match_the_document(client, factory):
    member = factory.member("starter")
    h = member.headers
    t = member.team_id
    check(
        client.post(SEARCH, json={"filters": {"countryCode": "US"}}, headers=h),
        "/api/phone-numbers/search",
        "post",
    )
    check(client.post(SEARCH, json={"filters": {}}, headers=h), "/api/phone-numbers/search", "post")
    check(client.post(SEARCH, json={}), "/api/phone-numbers/search", "post")
    number = check(buy(client, member, sandbox_number("415", 0)), PURCHASE, "post").get_json()
    number_id = number["phoneNumber"]["id"]
    check(buy(client, member, sandbox_number("415", 0)), PURCHASE, "post")  # 409
    buy(client, member, sandbox_number("415", 1))
    buy(client, member, sandbox_number("415", 2))
    check(buy(client, member, sandbox_number("415", 3)), PURCHASE, "post")  # 403
    check(buy(client, member, sandbox_number("415", 3), team_id="team_x"), PURCHASE, "post")  # 404
    check(client.get(PURCHASE, query_string={"teamId": t}, headers=h), PURCHASE, "get")
    one = "/api/phone-numbers/{numberId}"
    check(
        client.patch(
            f"/api/phone-numbers/{number_id}", json={"teamId": t, "label": "Main"}, headers=h
        ),
        one,
        "patch",
    )
    assistants = "/api/assistants"
    created = check(
        client.post(assistants, json={"teamId": t, "name": "Ava"}, headers=h), assistants, "post"
    )
    assistant_id = created.get_json()["assistant"]["id"]
    check(client.get(assistants, query_string={"teamId": t}, headers=h), assistants, "get")
    check(
        client.patch(f"{assistants}/{assistant_id}", json={"name": "Eve"}, headers=h),
        assistants + "/{assistantId}",
        "patch",
    )
    assign = assistants + "/{assistantId}/phone-numbers"
    check(
        client.post(
            f"{assistants}/{assistant_id}/phone-numbers",
            json={"phoneNumberIds": [number_id]},
            headers=h,
        ),
        assign,
        "post",
    )
    check(
        client.post(
            f"{assistants}/{assistant_id}/phone-numbers",
            json={"phoneNumberIds": ["pn_x"]},
            headers=h,
        ),
        assign,
        "post",
    )
    check(
        client.delete(f"{assistants}/{assistant_id}/phone-numbers/{number_id}", headers=h),
        assign + "/{numberId}",
        "delete",
    )
    undo = one + "/undo-release"
    check(
        client.post(f"/api/phone-numbers/{number_id}/undo-release", json={"teamId": t}, headers=h),
        undo,
        "post",
    )
    check(
        client.delete(f"/api/phone-numbers/{number_id}", query_string={"teamId": t}, headers=h),
        one,
        "delete",
    )  # scheduled: releasing, with release_at
    check(
        client.post(f"/api/phone-numbers/{number_id}/undo-release", json={"teamId": t}, headers=h),
        undo,
        "post",
    )
    client.delete(f"/api/phone-numbers/{number_id}", query_string={"teamId": t}, headers=h)
    check(buy(client, member, sandbox_number("415", 4)), PURCHASE, "post")  # its freed slot
    check(
        client.post(f"/api/phone-numbers/{number_id}/undo-release", json={"teamId": t}, headers=h),
        undo,
        "post",
    )  # 403
    check(
        client.delete(f"{assistants}/{assistant_id}", headers=h),
        assistants + "/{assistantId}",
        "delete",
    )


def test_guardrail_answers_match_the_document(app, client, factory):
    """The answers only a team with guardrails on sees: 202 requests, the cap's 403, and the
    guardrails and requests endpoints themselves."""
    from tests.helpers import REQUESTS, decide, guardrails_url

    owner = factory.member("growth")
    member = factory.member(team_id=owner.team_id, role="member")
    rails = "/api/teams/{teamId}/guardrails"
    check(client.get(guardrails_url(owner.team_id), headers=owner.headers), rails, "get")
    body = {"approvalRequired": True, "monthlySpendCap": "5.00"}
    patched = client.patch(guardrails_url(owner.team_id), json=body, headers=owner.headers)
    check(patched, rails, "patch")
    asked = check(buy(client, member, sandbox_number("415", 0)), PURCHASE, "post")
    assert asked.status_code == 202
    orders = "/api/phone-numbers/orders"
    order = {"teamId": owner.team_id, "phoneNumbers": [sandbox_number("415", 1)]}
    assert (
        check(client.post(orders, json=order, headers=member.headers), orders, "post").status_code
        == 202
    )
    listed = client.get(REQUESTS, query_string={"teamId": owner.team_id}, headers=owner.headers)
    check(listed, REQUESTS, "get")
    first, second = (r["id"] for r in listed.get_json()["requests"])
    approve, deny = REQUESTS + "/{requestId}/approve", REQUESTS + "/{requestId}/deny"
    check(decide(client, owner, second, "approve"), approve, "post")
    check(decide(client, owner, first, "deny", note="No"), deny, "post")
    check(decide(client, owner, first, "approve"), approve, "post")  # 409, with the request
    for index in (2, 3):
        buy(client, owner, sandbox_number("415", index))
    refused = check(buy(client, owner, sandbox_number("415", 4)), PURCHASE, "post")
    assert refused.get_json()["error"]["code"] == "spend_cap_reached"


def test_a_release_done_at_once_and_a_late_undo_match_the_document(
    client, factory, release_at_once
):
    member = factory.member("starter")
    number_id = buy(client, member, sandbox_number("415", 0)).get_json()["phoneNumber"]["id"]
    query, headers = {"teamId": member.team_id}, member.headers
    one = "/api/phone-numbers/{numberId}"
    url = f"/api/phone-numbers/{number_id}"
    check(client.delete(url, query_string=query, headers=headers), one, "delete")
    late = client.post(f"{url}/undo-release", json=query, headers=headers)
    assert late.status_code == 409
    check(late, one + "/undo-release", "post")
