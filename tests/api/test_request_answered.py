"""A number an owner or admin buys straight away (from the search, or the cart where the
member's request holds it) while a member's request for it waits: the purchase answers the
request, which reads approved with the number, leaves the approvers' count, and tells the
member; it is never left pending to fail later as "already held by your team"."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import AuditEvent, PhoneNumber, PurchaseRequest
from tests.helpers import REQUESTS, asked_id, buy, decide, sandbox_number
from tests.pages.helpers import mail_to

NUMBER = sandbox_number("415", 7)


@pytest.fixture
def team(factory):
    return factory.approving_team()


def request_row(app, request_id: str) -> PurchaseRequest:
    with app.app_context():
        return db.session.get(PurchaseRequest, request_id)


def waiting(client, approver) -> list[str]:
    body = client.get(
        REQUESTS,
        query_string={"teamId": approver.team_id, "status": "pending"},
        headers=approver.headers,
    ).get_json()
    return [r["id"] for r in body["requests"]]


@pytest.mark.parametrize("buyer", ["owner", "admin"])
def test_buying_the_number_answers_the_members_request(app, client, team, buyer):
    owner, admin, member = team
    who = {"owner": owner, "admin": admin}[buyer]
    request_id = asked_id(client, member, NUMBER)
    response = buy(client, who, NUMBER)
    assert response.status_code == 200, response.get_data(as_text=True)
    number_id = response.get_json()["phoneNumber"]["id"]
    row = request_row(app, request_id)
    assert (row.status, row.phone_number_id, row.decided_by_id) == (
        "approved",
        number_id,
        who.user_id,
    )
    assert waiting(client, owner) == []
    # Approving it afterwards buys nothing more and says it was approved, not "failed".
    again = decide(client, owner, request_id, "approve")
    assert again.status_code == 200, again.get_data(as_text=True)
    assert again.get_json()["request"]["status"] == "approved"
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(PhoneNumber)) == 1
        lines = db.session.scalars(
            sa.select(AuditEvent.action).where(AuditEvent.subject_id == request_id)
        ).all()
    assert sorted(lines) == ["purchase_request", "request_approve"]
    told = mail_to(app, member.email)
    (message,) = told
    assert message.subject == "Your request for +1 415-555-0107 was approved"
    assert "ready to take calls" in message.body


def test_buying_another_number_leaves_the_request_waiting(app, client, team):
    owner, _admin, member = team
    request_id = asked_id(client, member, NUMBER)
    assert buy(client, owner, sandbox_number("415", 8)).status_code == 200
    assert request_row(app, request_id).status == "pending"
    assert waiting(client, owner) == [request_id]
