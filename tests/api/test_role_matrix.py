"""The role matrix (app.accounts.roles) on every API operation, for every role.

Driven by the hand-written matrix (tests/role_table.py) and by the OpenAPI document: each
operation names the permission it needs (None: any member of the team), each role gets 2xx
where the matrix allows and `403 forbidden` where it does not, and a refused request changes
nothing.
"""

from __future__ import annotations

import pytest

from app.accounts.roles import Permission
from app.models import Role
from tests.api_calls import World, operations
from tests.role_table import allowed

OPERATION_PERMISSIONS: dict[str, Permission | None] = {
    "searchNumbers": None,
    "listNumbers": None,
    "exportNumbers": None,
    "listAssistants": None,
    "purchaseNumber": Permission.BUY,
    "orderNumbers": Permission.BUY,
    "getOrder": None,
    "holdNumber": Permission.BUY,
    "listHolds": None,
    "dropHold": Permission.BUY,
    "releaseNumber": Permission.RELEASE,
    "undoRelease": Permission.RELEASE,
    "labelNumber": Permission.LABEL,
    "assignNumbers": Permission.ASSIGN,
    "unassignNumber": Permission.ASSIGN,
    "createAssistant": Permission.MANAGE_ASSISTANTS,
    "renameAssistant": Permission.MANAGE_ASSISTANTS,
    "deleteAssistant": Permission.MANAGE_ASSISTANTS,
    "getGuardrails": None,
    "setGuardrails": Permission.SET_GUARDRAILS,
    "listPurchaseRequests": None,  # a member lists their own requests
    "approvePurchaseRequest": Permission.APPROVE_PURCHASES,
    "denyPurchaseRequest": Permission.APPROVE_PURCHASES,
    "getNumber": None,
    "listCalls": None,
    "exportCalls": None,
    "testRouting": Permission.ASSIGN,
    "callMe": Permission.ASSIGN,
    "listWebhookEndpoints": Permission.MANAGE_WEBHOOKS,
    "createWebhookEndpoint": Permission.MANAGE_WEBHOOKS,
    "getWebhookEndpoint": Permission.MANAGE_WEBHOOKS,
    "updateWebhookEndpoint": Permission.MANAGE_WEBHOOKS,
    "deleteWebhookEndpoint": Permission.MANAGE_WEBHOOKS,
    "rotateWebhookSecret": Permission.MANAGE_WEBHOOKS,
    "listWebhookDeliveries": Permission.MANAGE_WEBHOOKS,
    "resendWebhookDelivery": Permission.MANAGE_WEBHOOKS,
    "sendTestWebhook": Permission.MANAGE_WEBHOOKS,
    "listCampaigns": None,
    "getCampaign": None,
    "chooseCallerId": None,  # a member's dialer may place the team's campaign calls
    "createCampaign": Permission.MANAGE_ASSISTANTS,
    "updateCampaign": Permission.MANAGE_ASSISTANTS,
    "deleteCampaign": Permission.MANAGE_ASSISTANTS,
    "addCampaignNumbers": Permission.MANAGE_ASSISTANTS,
    "removeCampaignNumber": Permission.MANAGE_ASSISTANTS,
    "setCoverage": Permission.MANAGE_ASSISTANTS,
    "getNumberHealth": None,
    "restNumber": Permission.MANAGE_ASSISTANTS,  # as a campaign's pool: owners and admins
    "wakeNumber": Permission.MANAGE_ASSISTANTS,
    "getCallerName": None,
    "setCallerName": Permission.LABEL,
    "setCampaignCallerName": Permission.MANAGE_ASSISTANTS,
    "fillCampaignGaps": Permission.BUY,
    "replaceNumber": Permission.RELEASE,  # it buys one number to release another
}


@pytest.fixture
def world(app, client):
    return World(app, client)


def test_every_operation_names_the_permission_it_needs():
    assert {op.operation_id for op in operations()} == set(OPERATION_PERMISSIONS)


@pytest.mark.parametrize("operation", operations(), ids=lambda op: op.operation_id)
@pytest.mark.parametrize("role", list(Role), ids=str)
def test_each_role_gets_what_the_matrix_gives_it(app, client, world, operation, role):
    needed = OPERATION_PERMISSIONS[operation.operation_id]
    caller = {Role.OWNER: world.owner, Role.ADMIN: world.admin, Role.MEMBER: world.member}[role]
    call = world.baseline(operation)
    before = world.snapshot()
    response = client.open(
        call.url(),
        method=call.method,
        json=call.body,
        headers={**caller.headers, "Idempotency-Key": f"role-{role}"},
    )
    body = response.get_json()
    if allowed(needed, role):
        assert response.status_code == operation.success, body
        if response.mimetype == "text/csv":  # an export: its header row, then the rows
            header = {"exportNumbers": "phone_number,", "exportCalls": "started_at,"}
            assert response.get_data(as_text=True).startswith(header[operation.operation_id])
        else:
            assert body["success"] is True
        return
    assert response.status_code == 403, body
    assert body["error"]["code"] == "forbidden"
    message = body["error"]["message"]
    assert f"({role})" in message and str(needed) in message and "ask an owner" in message
    assert world.snapshot() == before  # nothing changed, and no Idempotency-Key was claimed
