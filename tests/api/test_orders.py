"""POST /api/phone-numbers/orders buys several numbers at once (all within the plan, or none),
idempotently, with an outcome per number; GET answers the same order again."""

from __future__ import annotations

import pytest

from app.extensions import db
from app.models import CartItem, PhoneNumber
from tests.helpers import assert_error, buy, listed, sandbox_number

ORDERS = "/api/phone-numbers/orders"


def order(client, member, numbers, **headers):
    body = {"teamId": member.team_id, "phoneNumbers": numbers}
    return client.post(ORDERS, json=body, headers={**member.headers, **headers})


def test_three_numbers_in_one_order_each_with_its_outcome(client, factory):
    member = factory.member("starter")
    wanted = [sandbox_number("415", i) for i in range(3)]
    response = order(client, member, wanted)
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    placed = body["order"]
    assert placed["id"].startswith("ord_")
    assert placed["status"] == "complete"
    assert placed["summary"] == "3 of 3 bought"
    assert [n["phoneNumber"] for n in placed["numbers"]] == wanted
    assert {n["status"] for n in placed["numbers"]} == {"bought"}
    assert body["eligibility"] == {
        "currentCount": 3,
        "maxAllowed": 3,
        "hasSubscription": True,
        "planName": "Starter",
    }
    ids = {n["phoneNumberId"] for n in placed["numbers"]}
    assert ids == {n["id"] for n in listed(client, member).get_json()["numbers"]}
    again = client.get(
        f"{ORDERS}/{placed['id']}", query_string={"teamId": member.team_id}, headers=member.headers
    )
    assert again.status_code == 200 and again.get_json()["order"] == placed


def test_an_order_that_does_not_fit_the_plan_buys_nothing_and_says_how_many_fit(client, factory):
    member = factory.member("starter")
    assert buy(client, member, sandbox_number("415", 9)).status_code == 200
    response = order(client, member, [sandbox_number("415", i) for i in range(3)])
    body = assert_error(response, 403, "plan_limit_reached")
    assert "3 numbers do not fit" in body["error"]["message"]
    assert "allows 2 more numbers" in body["error"]["message"]
    assert body["eligibility"]["currentCount"] == 1
    assert len(listed(client, member).get_json()["numbers"]) == 1


def test_a_number_taken_meanwhile_is_reported_and_the_rest_bought(client, factory):
    member, other = factory.member("growth"), factory.member("growth")
    assert buy(client, other, sandbox_number("212", 1)).status_code == 200
    wanted = [sandbox_number("212", 0), sandbox_number("212", 1), sandbox_number("212", 2)]
    placed = order(client, member, wanted).get_json()["order"]
    assert placed["status"] == "partial"
    assert [n["status"] for n in placed["numbers"]] == ["bought", "unavailable", "bought"]
    assert "another team" in placed["numbers"][1]["message"]
    assert placed["summary"] == "2 of 3 bought, 1 not available"


def test_the_same_idempotency_key_buys_once_and_replays_the_order(app, client, factory):
    member = factory.member("growth")
    wanted = [sandbox_number("312", 0), sandbox_number("312", 1)]
    first = order(client, member, wanted, **{"Idempotency-Key": "cart-1"})
    second = order(client, member, wanted, **{"Idempotency-Key": "cart-1"})
    assert first.status_code == second.status_code == 200
    assert second.headers["Idempotent-Replayed"] == "true"
    assert second.get_json() == first.get_json()
    with app.app_context():
        mine = db.select(PhoneNumber.id).where(PhoneNumber.team_id == member.team_id)
        assert len(db.session.scalars(mine).all()) == 2
    other = order(client, member, wanted[:1], **{"Idempotency-Key": "cart-1"})
    assert_error(other, 422, "idempotency_key_reused")


def test_buying_empties_those_numbers_from_the_cart(app, client, factory):
    from app.accounts.teams import actor_for
    from app.models import User
    from app.numbers.cart import hold_number

    member = factory.member("growth")
    with app.test_request_context():
        actor = actor_for(db.session.get(User, member.user_id), member.team_id)
        hold_number(actor, sandbox_number("415", 5))
        hold_number(actor, sandbox_number("415", 6))
    order(client, member, [sandbox_number("415", 5)])
    with app.app_context():
        left = db.session.scalars(db.select(CartItem.phone_number)).all()
    assert left == [sandbox_number("415", 6)]


def test_a_member_orders_for_the_team(client, factory):
    owner = factory.member("growth")
    someone = factory.member(team_id=owner.team_id, role="member")
    response = order(client, someone, [sandbox_number("415", 0)])
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["order"]["numbers"][0]["status"] == "bought"
    assert [n["phone_number"] for n in listed(client, owner).get_json()["numbers"]] == [
        sandbox_number("415", 0)
    ]


@pytest.mark.parametrize(
    ("numbers", "field"),
    [
        ([], "phoneNumbers"),
        ("+14155550100", "phoneNumbers"),
        (["+14155550100", "415-555"], "phoneNumbers"),
        ([f"+1415555{i:04d}" for i in range(21)], "phoneNumbers"),
    ],
)
def test_bad_numbers_are_named(client, factory, numbers, field):
    body = assert_error(order(client, factory.member("growth"), numbers), 400, "invalid_request")
    assert list(body["error"]["fields"]) == [field]
    if isinstance(numbers, list) and len(numbers) == 2:
        assert body["error"]["fields"][field].startswith("Item 2: Phone number must be in E.164")


def test_another_teams_order_is_not_found(client, factory):
    member, stranger = factory.member("growth"), factory.member("growth")
    placed = order(client, member, [sandbox_number("415", 0)]).get_json()["order"]
    response = client.get(
        f"{ORDERS}/{placed['id']}",
        query_string={"teamId": stranger.team_id},
        headers=stranger.headers,
    )
    assert_error(response, 404, "not_found")


@pytest.mark.filterwarnings("ignore::DeprecationWarning:jsonschema")
def test_order_answers_match_the_openapi_document(client, factory):
    from tests.api.test_openapi import check

    member = factory.member("starter")
    made = check(order(client, member, [sandbox_number("415", 0)]), ORDERS, "post").get_json()
    check(
        client.get(
            f"{ORDERS}/{made['order']['id']}",
            query_string={"teamId": member.team_id},
            headers=member.headers,
        ),
        "/api/phone-numbers/orders/{orderId}",
        "get",
    )
    too_many = [sandbox_number("415", i) for i in range(1, 4)]
    check(order(client, member, too_many), ORDERS, "post")
    check(order(client, member, []), ORDERS, "post")
