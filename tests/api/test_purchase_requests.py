"""Purchase requests by API: a member's Buy where approvals are on holds the number and answers
202 with the request; owners and admins list, approve (buys it once, in the member's name) or
deny it (drops the hold); the member is told either way; every step is in History."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import AuditEvent, CartItem, PhoneNumber, PurchaseRequest, User, utcnow
from app.providers import sandbox
from app.providers.base import ProviderError, ProviderNumberUnavailable
from tests.factories import guard, hold
from tests.helpers import (
    REQUESTS,
    asked_id,
    assert_error,
    bought_id,
    buy,
    decide,
    sandbox_number,
)
from tests.pages.helpers import mail_to

NUMBER = sandbox_number("415", 7)


@pytest.fixture
def team(factory):
    """A Growth team with approvals on: its owner, an admin and a member."""
    return factory.approving_team()


def numbers_of(app, team_id: str) -> list[PhoneNumber]:
    with app.app_context():
        rows = db.session.scalars(sa.select(PhoneNumber).where(PhoneNumber.team_id == team_id))
        found = list(rows)
        db.session.expunge_all()
        return found


def stored(app, request_id: str) -> PurchaseRequest:
    with app.app_context():
        found = db.session.get(PurchaseRequest, request_id)
        db.session.expunge(found)
        return found


def actions(app, team_id: str) -> list[tuple[str, str | None]]:
    """(action, who) of each History line about numbers and requests, oldest first; each names
    the request or the number it is about."""
    with app.app_context():
        events = db.session.scalars(
            sa.select(AuditEvent)
            .where(AuditEvent.team_id == team_id, AuditEvent.action != "guardrails_change")
            .order_by(AuditEvent.created_at, AuditEvent.id)
        ).all()
        assert all(e.subject_id and e.subject_id.startswith(("preq_", "pn_")) for e in events)
        return [(e.action, e.actor_id) for e in events]


def test_a_members_buy_is_held_and_answers_202_with_the_request(app, client, factory, team):
    owner, admin, member = team
    response = buy(client, member, NUMBER)
    assert response.status_code == 202, response.get_json()
    body = response.get_json()
    request = body["request"]
    assert body["success"] is True and "Sent for approval" in body["message"]
    assert request["status"] == "pending" and request["phoneNumber"] == NUMBER
    assert (request["monthlyPrice"], request["setupPrice"]) == ("1.00", "1.00")
    assert request["requestedBy"]["email"] == member.email and request["decidedBy"] is None
    held_for = utcnow() + timedelta(minutes=30)
    assert request["heldUntil"][:16] in {
        (held_for - timedelta(minutes=m)).strftime("%Y-%m-%dT%H:%M") for m in (0, 1)
    }
    assert numbers_of(app, owner.team_id) == []  # nothing bought yet
    # The number is held for the team: another team can neither buy nor see it.
    stranger = factory.member("growth")
    assert_error(buy(client, stranger, NUMBER), 409, "number_unavailable")
    holds = client.get(
        "/api/phone-numbers/holds", query_string={"teamId": owner.team_id}, headers=owner.headers
    ).get_json()
    assert holds["holds"][0]["purchaseRequestId"] == request["id"]
    assert holds["dueNow"] == "0.00"  # waiting for approval: not in what buying the cart costs


def test_the_same_buy_again_answers_the_same_request(client, team):
    _owner, _admin, member = team
    first = asked_id(client, member, NUMBER)
    assert asked_id(client, member, NUMBER) == first


def test_owners_and_admins_buy_without_asking(client, team):
    owner, admin, _member = team
    assert buy(client, owner, sandbox_number("415", 1)).status_code == 200
    assert buy(client, admin, sandbox_number("415", 2)).status_code == 200


def test_with_an_amount_members_buy_freely_up_to_it(app, client, team):
    owner, _admin, member = team
    guard(app, owner, approval_above="4.00")
    assert buy(client, member, sandbox_number("415", 1)).status_code == 200  # $2.00
    assert buy(client, member, sandbox_number("415", 2)).status_code == 200  # $4.00: not past
    assert buy(client, member, sandbox_number("415", 3)).status_code == 202  # $6.00: past it


def test_approvers_are_emailed_and_the_member_is_not(app, client, team):
    owner, admin, member = team
    asked_id(client, member, NUMBER)
    with app.app_context():
        name = db.session.get(User, member.user_id).name
    for person in (owner, admin):
        (message,) = mail_to(app, person.email)
        assert message.subject == f"{name} asks to buy +1 415-555-0107"
        assert "$1.00 setup and $1.00 a month" in message.body
        assert f"/teams/{owner.team_id}/requests" in message.body
    assert mail_to(app, member.email) == []


def test_approving_buys_it_in_the_members_name_once(app, client, team):
    owner, admin, member = team
    request_id = asked_id(client, member, NUMBER)
    response = decide(client, admin, request_id, "approve")
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["phoneNumber"]["phone_number"] == NUMBER
    assert body["phoneNumber"]["status"] == "active"
    assert body["eligibility"]["currentCount"] == 1
    assert body["request"]["status"] == "approved"
    assert body["request"]["decidedBy"]["email"] == admin.email
    assert body["request"]["phoneNumberId"] == body["phoneNumber"]["id"]
    (number,) = numbers_of(app, owner.team_id)
    assert number.created_by_id == member.user_id  # the buyer on record asked for it
    assert (number.monthly_price, number.setup_price) == (1, 1)
    with app.app_context():
        assert db.session.scalars(sa.select(CartItem)).all() == []  # the hold became the number
    # A second click, or the other approver: nothing more is bought.
    again = decide(client, owner, request_id, "approve")
    assert again.status_code == 200
    assert again.get_json()["phoneNumber"]["id"] == number.id
    assert len(numbers_of(app, owner.team_id)) == 1
    assert actions(app, owner.team_id) == [
        ("purchase_request", member.user_id),
        ("purchase", member.user_id),
        ("request_approve", admin.user_id),
    ]
    (told,) = mail_to(app, member.email)
    assert told.subject == "Your request for +1 415-555-0107 was approved"
    assert "ready to take calls" in told.body


def test_an_idempotency_key_replays_the_approval(app, client, team):
    owner, admin, member = team
    request_id = asked_id(client, member, NUMBER)
    key = {"Idempotency-Key": "approve-1"}
    first = decide(client, admin, request_id, "approve", headers=key)
    again = decide(client, admin, request_id, "approve", headers=key)
    assert again.get_json() == first.get_json()
    assert again.headers["Idempotent-Replayed"] == "true"


def test_denying_drops_the_hold_and_tells_the_member(app, client, factory, team):
    owner, admin, member = team
    request_id = asked_id(client, member, NUMBER)
    response = decide(client, owner, request_id, "deny", note="  Use the\u200b support line ")
    assert response.status_code == 200
    request = response.get_json()["request"]
    assert (request["status"], request["reason"]) == ("denied", "Use the support line")
    assert numbers_of(app, owner.team_id) == []
    assert bought_id(client, factory.member("growth"), NUMBER)  # free for anyone again
    (told,) = mail_to(app, member.email)
    assert told.subject == "Your request for +1 415-555-0107 was denied"
    assert "Their note: Use the support line" in told.body
    # Denied twice is still denied; approving it now is refused, and says why.
    assert decide(client, owner, request_id, "deny").status_code == 200
    body = assert_error(decide(client, admin, request_id, "approve"), 409, "conflict")
    assert "denied by User" in body["error"]["message"]
    assert body["request"]["status"] == "denied"
    assert actions(app, owner.team_id)[-1] == ("request_deny", owner.user_id)


def test_a_long_or_unstorable_note_is_refused_by_name(client, team):
    owner, _admin, member = team
    request_id = asked_id(client, member, NUMBER)
    for note in ("x" * 201, "a\x00b", 5):
        body = assert_error(
            decide(client, owner, request_id, "deny", note=note), 400, "invalid_request"
        )
        assert "note" in body["error"]["fields"]


def test_a_request_whose_hold_ended_reads_expired_and_cannot_be_approved(app, client, team):
    owner, _admin, member = team
    request_id = asked_id(client, member, NUMBER)
    with app.app_context():
        past = utcnow() - timedelta(seconds=1)
        db.session.execute(sa.update(PurchaseRequest).values(hold_expires_at=past))
        db.session.execute(sa.update(CartItem).values(expires_at=past))
        db.session.commit()
    listed = client.get(REQUESTS, query_string={"teamId": owner.team_id}, headers=owner.headers)
    assert listed.get_json()["requests"][0]["status"] == "expired"
    body = assert_error(decide(client, owner, request_id, "approve"), 409, "conflict")
    assert "ask again" in body["error"]["message"]
    assert numbers_of(app, owner.team_id) == []
    # Asking again makes a new request; the old one is written expired.
    again = asked_id(client, member, NUMBER)
    assert again != request_id and stored(app, request_id).status == "expired"


def test_a_refusal_at_approval_fails_the_request_with_the_reason(app, client, factory):
    owner = factory.member("starter")  # three numbers
    member = factory.member(team_id=owner.team_id, role="member")
    guard(app, owner, approval_required=True)
    request_id = asked_id(client, member, NUMBER)
    for index in range(3):
        bought_id(client, owner, sandbox_number("212", index))
    body = assert_error(decide(client, owner, request_id, "approve"), 403, "plan_limit_reached")
    assert body["eligibility"]["currentCount"] == 3
    assert body["request"]["status"] == "failed"
    assert body["request"]["reason"] == body["error"]["message"]
    assert stored(app, request_id).status == "failed"
    (told,) = mail_to(app, member.email)
    assert told.subject == "Your request for +1 415-555-0107 could not be bought"
    assert actions(app, owner.team_id)[-1] == ("request_fail", owner.user_id)
    assert_error(decide(client, owner, request_id, "approve"), 409, "conflict")


def test_the_cap_at_approval_fails_the_request(app, client, team):
    owner, _admin, member = team
    request_id = asked_id(client, member, NUMBER)
    guard(app, owner, spend_cap="1.00")
    body = assert_error(decide(client, owner, request_id, "approve"), 403, "spend_cap_reached")
    assert body["spending"] == {"cap": "1.00", "spent": "0.00", "thisPurchase": "2.00"}
    assert body["request"]["status"] == "failed"


def test_a_number_gone_at_the_provider_fails_the_request(app, client, team, monkeypatch):
    owner, _admin, member = team
    request_id = asked_id(client, member, NUMBER)

    def sold_elsewhere(self, *args, **kwargs):
        raise ProviderNumberUnavailable("The number is no longer available")

    monkeypatch.setattr(sandbox.SandboxProvider, "order", sold_elsewhere)
    body = assert_error(decide(client, owner, request_id, "approve"), 409, "number_unavailable")
    assert body["request"]["status"] == "failed"
    assert numbers_of(app, owner.team_id) == []


def test_a_provider_failure_before_ordering_leaves_it_to_approve_again(
    app, client, team, monkeypatch
):
    owner, _admin, member = team
    request_id = asked_id(client, member, NUMBER)

    def down(self, *args, **kwargs):
        raise ProviderError("The provider is down")

    with monkeypatch.context() as patched:
        patched.setattr(sandbox.SandboxProvider, "order", down)
        assert_error(decide(client, owner, request_id, "approve"), 502, "provider_error")
    assert stored(app, request_id).status == "pending"
    assert decide(client, owner, request_id, "approve").status_code == 200


def test_members_see_their_own_requests_and_approvers_see_all(client, factory, team):
    owner, admin, member = team
    other = factory.member(team_id=owner.team_id, role="member")
    mine = asked_id(client, member, NUMBER)
    theirs = asked_id(client, other, sandbox_number("415", 8))
    decide(client, owner, theirs, "deny")

    def listed(who, **query):
        response = client.get(
            REQUESTS, query_string={"teamId": owner.team_id, **query}, headers=who.headers
        )
        assert response.status_code == 200, response.get_json()
        return [r["id"] for r in response.get_json()["requests"]]

    assert listed(admin) == [theirs, mine]  # newest first
    assert listed(member) == [mine]
    assert listed(admin, status="pending") == [mine]
    assert listed(admin, status="denied", limit="1") == [theirs]
    # A member cannot decide, nor see another member's request.
    assert_error(decide(client, member, mine, "approve"), 403, "forbidden")
    assert_error(decide(client, admin, "preq_" + "0" * 26, "approve"), 404, "not_found")


@pytest.mark.parametrize("query", [{"status": "open"}, {"limit": "0"}, {"limit": "201"}])
def test_bad_list_filters_are_named(client, team, query):
    owner, _admin, _member = team
    body = assert_error(
        client.get(
            REQUESTS, query_string={"teamId": owner.team_id, **query}, headers=owner.headers
        ),
        400,
        "invalid_request",
    )
    assert set(body["error"]["fields"]) == set(query)


def test_an_order_by_a_member_sends_each_number_for_approval(app, client, team):
    owner, _admin, member = team
    numbers = [sandbox_number("415", i) for i in range(2)]
    response = client.post(
        "/api/phone-numbers/orders",
        json={"teamId": owner.team_id, "phoneNumbers": numbers},
        headers=member.headers,
    )
    assert response.status_code == 202, response.get_json()
    body = response.get_json()
    assert body["order"]["status"] == "requested"
    assert body["order"]["summary"] == "0 of 2 bought, 2 sent for approval"
    asked = [r["requestId"] for r in body["order"]["numbers"]]
    assert [r["id"] for r in body["requests"]] == asked
    assert [r["phoneNumber"] for r in body["requests"]] == numbers
    assert numbers_of(app, owner.team_id) == []
    with app.app_context():
        assert sorted(db.session.scalars(sa.select(CartItem.phone_number))) == numbers


def test_a_number_in_the_cart_is_asked_for_with_its_hold(app, client, team):
    owner, _admin, member = team
    hold(app, member, NUMBER)
    with app.app_context():
        held_until = db.session.scalar(sa.select(CartItem.expires_at))
    request_id = asked_id(client, member, NUMBER)
    assert stored(app, request_id).hold_expires_at == held_until
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(CartItem)) == 1


def test_a_held_request_cannot_be_dropped_from_the_cart(app, client, team):
    owner, _admin, member = team
    asked_id(client, member, NUMBER)
    holds = client.get(
        "/api/phone-numbers/holds", query_string={"teamId": owner.team_id}, headers=owner.headers
    ).get_json()["holds"]
    response = client.delete(
        f"/api/phone-numbers/holds/{holds[0]['id']}",
        query_string={"teamId": owner.team_id},
        headers=member.headers,
    )
    body = assert_error(response, 409, "conflict")
    assert "purchase request" in body["error"]["message"]


def test_with_approvals_off_again_a_waiting_request_can_still_be_decided(app, client, team):
    owner, _admin, member = team
    request_id = asked_id(client, member, NUMBER)
    guard(app, owner, approval_required=False)
    assert buy(client, member, sandbox_number("415", 9)).status_code == 200
    assert decide(client, owner, request_id, "approve").status_code == 200


def test_a_mail_server_that_fails_leaves_the_request_standing_and_its_email_queued(
    app, client, team, monkeypatch
):
    from app.mail import MailError, outgoing
    from app.models import OutgoingEmail

    owner, admin, member = team

    def refused(message):
        raise MailError("the SMTP server could not be reached", to=message.to, subject="x")

    monkeypatch.setattr(outgoing, "send", refused)
    request_id = asked_id(client, member, NUMBER)
    assert stored(app, request_id).status == "pending"
    assert mail_to(app, owner.email) == []
    with app.app_context():  # kept, to be tried again: never lost
        waiting = db.session.execute(
            sa.select(OutgoingEmail.to, OutgoingEmail.kind, OutgoingEmail.status)
        ).all()
    assert sorted(waiting) == sorted(
        [(owner.email, "purchase_request", "queued"), (admin.email, "purchase_request", "queued")]
    )


def test_holding_longer_keeps_the_request_waiting_longer(app, client, team):
    from app.numbers.cart import extend_hold
    from tests.factories import actor_of

    owner, _admin, member = team
    request_id = asked_id(client, member, NUMBER)
    with app.app_context():
        earlier = utcnow() + timedelta(minutes=5)
        db.session.execute(sa.update(PurchaseRequest).values(hold_expires_at=earlier))
        db.session.execute(sa.update(CartItem).values(expires_at=earlier))
        db.session.commit()
        item_id = db.session.scalar(sa.select(CartItem.id))
        extended = extend_hold(actor_of(member), item_id)
    assert extended.expires_at > earlier + timedelta(minutes=20)
    assert stored(app, request_id).hold_expires_at == extended.expires_at
