"""The scopes matrix: every API operation against a token of every scope.

The scope each operation needs is written out below, by hand: a change to a view's
`@token_required(...)` line, or a new operation, fails here until the table says the same.
A token with the scope gets the operation's 2xx; a token without it gets `403
insufficient_scope` naming the scope, and nothing changes and no Idempotency-Key is claimed.
"""

from __future__ import annotations

import jsonschema
import pytest

from app.api.openapi import DOCUMENT
from tests.api_calls import World, operations

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning:jsonschema")

SCOPES = [
    "numbers:read",
    "numbers:buy",
    "numbers:manage",
    "assistants:manage",
    "team:manage",
    "webhooks:manage",
]

OPERATION_SCOPES: dict[str, str] = {
    "searchNumbers": "numbers:read",
    "listNumbers": "numbers:read",
    "exportNumbers": "numbers:read",
    "getOrder": "numbers:read",
    "listHolds": "numbers:read",
    "listAssistants": "numbers:read",
    "getGuardrails": "numbers:read",
    "listPurchaseRequests": "numbers:read",
    "getNumber": "numbers:read",
    "listCalls": "numbers:read",
    "exportCalls": "numbers:read",
    "testRouting": "numbers:manage",
    "callMe": "numbers:manage",
    "purchaseNumber": "numbers:buy",
    "orderNumbers": "numbers:buy",
    "holdNumber": "numbers:buy",
    "dropHold": "numbers:buy",
    "approvePurchaseRequest": "numbers:buy",
    "denyPurchaseRequest": "numbers:buy",
    "labelNumber": "numbers:manage",
    "assignNumbers": "numbers:manage",
    "unassignNumber": "numbers:manage",
    "releaseNumber": "numbers:manage",
    "undoRelease": "numbers:manage",
    "createAssistant": "assistants:manage",
    "renameAssistant": "assistants:manage",
    "deleteAssistant": "assistants:manage",
    "setGuardrails": "team:manage",
    "listWebhookEndpoints": "webhooks:manage",
    "createWebhookEndpoint": "webhooks:manage",
    "getWebhookEndpoint": "webhooks:manage",
    "updateWebhookEndpoint": "webhooks:manage",
    "deleteWebhookEndpoint": "webhooks:manage",
    "rotateWebhookSecret": "webhooks:manage",
    "listWebhookDeliveries": "webhooks:manage",
    "resendWebhookDelivery": "webhooks:manage",
    "sendTestWebhook": "webhooks:manage",
    "listCampaigns": "numbers:read",
    "getCampaign": "numbers:read",
    "chooseCallerId": "numbers:read",
    "createCampaign": "assistants:manage",
    "updateCampaign": "assistants:manage",
    "deleteCampaign": "assistants:manage",
    "addCampaignNumbers": "assistants:manage",
    "removeCampaignNumber": "assistants:manage",
    "setCoverage": "assistants:manage",
    "getNumberHealth": "numbers:read",
    "restNumber": "assistants:manage",
    "wakeNumber": "assistants:manage",
    "getCallerName": "numbers:read",
    "setCallerName": "numbers:manage",
    "setCampaignCallerName": "assistants:manage",
    "fillCampaignGaps": "numbers:buy",
    "replaceNumber": "numbers:buy",
}


@pytest.fixture
def world(app, client):
    return World(app, client)


def send(client, call, token: str, key: str = "scope-matrix"):
    headers = {"Authorization": f"Bearer {token}", "Idempotency-Key": key}
    return client.open(call.url(), method=call.method, json=call.body, headers=headers)


def assert_refused(response, scope: str, token: str, name: str) -> None:
    """The refusal exactly as a client reads it: the envelope, its field, RFC 6750's header."""
    assert response.status_code == 403, response.get_data(as_text=True)
    error = response.get_json()["error"]
    assert error == {
        "code": "insufficient_scope",
        "message": f"This API token (“{name}”, {token[:10]}…) lacks the {scope} scope: "
        "make a token with it on the API tokens page.",
        "requiredScope": scope,
    }
    assert response.get_json()["success"] is False
    assert response.headers["WWW-Authenticate"] == (
        f'Bearer error="insufficient_scope", scope="{scope}"'
    )


def test_every_operation_is_in_the_table():
    assert {op.operation_id for op in operations()} == set(OPERATION_SCOPES)
    assert set(OPERATION_SCOPES.values()) <= set(SCOPES)


@pytest.mark.parametrize("operation", operations(), ids=lambda op: op.operation_id)
@pytest.mark.parametrize("scope", SCOPES)
def test_a_token_with_one_scope_may_call_exactly_its_operations(
    client, world, factory, operation, scope
):
    token = factory.token(world.owner, [scope], name=scope)
    call = world.baseline(operation)
    before = world.snapshot()
    response = send(client, call, token)
    needed = OPERATION_SCOPES[operation.operation_id]
    if scope == needed:
        assert response.status_code == operation.success, response.get_data(as_text=True)
        return
    assert_refused(response, needed, token, scope)
    assert world.snapshot() == before


@pytest.mark.parametrize("operation", operations(), ids=lambda op: op.operation_id)
def test_every_other_scope_together_is_refused_and_claims_no_key(client, world, factory, operation):
    needed = OPERATION_SCOPES[operation.operation_id]
    others = factory.token(world.owner, [s for s in SCOPES if s != needed], name="All but one")
    call = world.baseline(operation)
    before = world.snapshot()
    assert_refused(send(client, call, others, key="same-key"), needed, others, "All but one")
    assert world.snapshot() == before
    # The same request and key with the scope is answered afresh: the refusal claimed nothing.
    allowed = factory.token(world.owner, [needed], name="Just right")
    response = send(client, call, allowed, key="same-key")
    assert response.status_code == operation.success, response.get_data(as_text=True)
    assert "Idempotent-Replayed" not in response.headers


def test_the_served_document_names_each_operations_scope(client):
    document = client.get("/api/openapi.json").get_json()
    named = {}
    for item in document["paths"].values():
        for method, operation in item.items():
            if method != "parameters":
                scope = operation["x-required-scope"]
                assert operation["security"] == [{"bearer": [scope]}]
                assert "403" in operation["responses"]
                named[operation["operationId"]] = scope
    assert named == OPERATION_SCOPES
    described = document["components"]["securitySchemes"]["bearer"]["description"]
    assert all(f"{scope}: " in described for scope in SCOPES)


def test_a_refusal_matches_the_document(client, world, factory):
    token = factory.token(world.owner, ["numbers:read"], name="Reader")
    purchase = next(op for op in operations() if op.operation_id == "purchaseNumber")
    response = send(client, world.baseline(purchase), token)
    assert_refused(response, "numbers:buy", token, "Reader")
    schema = dict(DOCUMENT["paths"]["/api/phone-numbers/purchase"]["post"]["responses"]["403"])
    schema = {
        **schema["content"]["application/json"]["schema"],
        "components": DOCUMENT["components"],
    }
    jsonschema.Draft202012Validator(schema).validate(response.get_json())
