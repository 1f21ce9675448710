from datetime import UTC, datetime, timedelta

import pytest

from app.extensions import db
from app.models import PhoneNumber, Team
from tests.helpers import PURCHASE, assert_error, buy, listed, sandbox_number, search


def held(app, team_id=None) -> list[PhoneNumber]:
    with app.app_context():
        query = db.select(PhoneNumber)
        if team_id:
            query = query.where(PhoneNumber.team_id == team_id)
        return list(db.session.scalars(query))


def test_contract_example_buys_the_searched_number(client, factory):
    member = factory.member("growth")
    offered = search(client, member, areaCode="415", numberType="local", limit=10).get_json()[
        "numbers"
    ]
    assert "+14155550101" in [n["phoneNumber"] for n in offered]
    response = buy(client, member, "+14155550101")
    assert response.status_code == 200
    body = response.get_json()
    assert list(body) == ["success", "phoneNumber", "eligibility"]
    number = body["phoneNumber"]
    assert number["id"].startswith("pn_") and len(number["id"]) == 29
    assert number["phone_number"] == "+14155550101"
    assert number["provider_number_id"] == "sandbox-14155550101"
    assert number["status"] == "active"
    assert number["is_trial"] is False and number["trial_expires_at"] is None
    assert number["message"] == "Phone number purchased successfully"
    assert body["eligibility"] == {
        "currentCount": 1,
        "maxAllowed": 10,
        "hasSubscription": True,
        "planName": "Growth",
    }


def test_purchase_records_what_was_bought(app, client, factory):
    member = factory.member("starter")
    buy(client, member, "+18005550100", connectionId="conn-42")
    (number,) = held(app)
    assert (number.team_id, number.created_by_id) == (member.team_id, member.user_id)
    assert (number.number_type, number.country_code, number.provider) == (
        "toll-free",
        "US",
        "sandbox",
    )
    assert str(number.monthly_price) == "2.00" and number.features == ["voice", "sms"]
    assert number.connection_id == "conn-42"


def test_free_team_gets_one_five_day_trial(client, factory):
    member = factory.member("free")
    before = datetime.now(UTC)
    body = buy(client, member, sandbox_number("212", 0)).get_json()
    assert body["phoneNumber"]["is_trial"] is True
    expires = datetime.strptime(body["phoneNumber"]["trial_expires_at"], "%Y-%m-%dT%H:%M:%SZ")
    expires = expires.replace(tzinfo=UTC)
    assert (
        before + timedelta(days=5) - timedelta(seconds=2)
        <= expires
        <= datetime.now(UTC) + timedelta(days=5)
    )
    assert body["eligibility"] == {
        "currentCount": 1,
        "maxAllowed": 1,
        "hasSubscription": False,
        "planName": "Free",
    }
    refused = assert_error(buy(client, member, sandbox_number("212", 1)), 403, "plan_limit_reached")
    assert refused["eligibility"] == body["eligibility"]


def test_a_team_gets_one_trial_ever(app, client, factory):
    member = factory.member("free")
    buy(client, member, sandbox_number("212", 0))
    with app.app_context():
        number = db.session.scalars(db.select(PhoneNumber)).one()
        number.trial_expires_at = datetime.now(UTC) - timedelta(minutes=1)
        db.session.commit()
    refused = assert_error(buy(client, member, sandbox_number("212", 1)), 403, "plan_limit_reached")
    # The expired trial no longer counts, but the trial is spent.
    assert refused["eligibility"]["currentCount"] == 0
    assert "trial" in refused["error"]["message"]


@pytest.mark.parametrize(
    ("plan", "limit", "name"), [("starter", 3, "Starter"), ("growth", 10, "Growth")]
)
def test_subscribed_team_buys_up_to_its_plan(app, client, factory, plan, limit, name):
    member = factory.member(plan)
    for index in range(limit):
        response = buy(client, member, sandbox_number("646", index))
        assert response.status_code == 200
        assert response.get_json()["eligibility"]["currentCount"] == index + 1
    refused = assert_error(
        buy(client, member, sandbox_number("646", limit)), 403, "plan_limit_reached"
    )
    assert refused["eligibility"] == {
        "currentCount": limit,
        "maxAllowed": limit,
        "hasSubscription": True,
        "planName": name,
    }
    assert len(held(app, member.team_id)) == limit


def test_paid_plans_count_pending_numbers(app, client, factory):
    member = factory.member("starter")
    for index in range(2):
        buy(client, member, sandbox_number("646", index))
    with app.app_context():
        db.session.execute(db.update(PhoneNumber).values(status="pending"))
        db.session.commit()
    assert (
        buy(client, member, sandbox_number("646", 5)).get_json()["eligibility"]["currentCount"] == 3
    )
    assert_error(buy(client, member, sandbox_number("646", 6)), 403, "plan_limit_reached")


def test_a_number_held_by_any_team_cannot_be_bought_again(app, client, factory):
    alice, bob = factory.member("growth"), factory.member("growth")
    assert buy(client, alice, sandbox_number("415", 1)).status_code == 200
    assert_error(buy(client, bob, sandbox_number("415", 1)), 409, "number_unavailable")
    assert_error(buy(client, alice, sandbox_number("415", 1)), 409, "number_unavailable")
    assert [n.team_id for n in held(app)] == [alice.team_id]


def test_a_released_number_can_be_bought_again(app, client, factory):
    alice, bob = factory.member("growth"), factory.member("growth")
    buy(client, alice, sandbox_number("415", 1))
    with app.app_context():
        db.session.execute(db.update(PhoneNumber).values(status="released"))
        db.session.commit()
    assert buy(client, bob, sandbox_number("415", 1)).status_code == 200


def test_the_provider_refusing_leaves_nothing_held(app, client, factory):
    member = factory.member("free")
    # Valid, but outside the sandbox's fictional 555-01XX range: the provider refuses it.
    assert_error(buy(client, member, "+14155552671"), 409, "number_unavailable")
    assert held(app) == []
    with app.app_context():
        assert db.session.get(Team, member.team_id).trial_used_at is None
    # The failed attempt did not spend the trial.
    assert buy(client, member, sandbox_number("415", 3)).status_code == 200


@pytest.mark.parametrize("team_id", ["team_01doesnotexist000000000000", "", None])
def test_unknown_or_missing_team(client, factory, team_id):
    member = factory.member("growth")
    response = client.post(
        PURCHASE,
        json={"phoneNumber": sandbox_number("415", 1), "teamId": team_id},
        headers=member.headers,
    )
    if team_id:
        assert_error(response, 404, "team_not_found")
    else:
        assert "teamId" in assert_error(response, 400, "invalid_request")["error"]["fields"]


def test_cannot_buy_for_a_team_you_are_not_in(app, client, factory):
    alice, bob = factory.member("growth"), factory.member("growth")
    unknown = assert_error(
        buy(client, alice, sandbox_number("415", 1), team_id="team_nope"), 404, "team_not_found"
    )
    foreign = assert_error(
        buy(client, alice, sandbox_number("415", 1), team_id=bob.team_id), 404, "team_not_found"
    )
    assert unknown["error"]["message"] == foreign["error"]["message"]
    assert held(app) == []


def test_a_member_of_two_teams_buys_for_either(client, factory):
    first = factory.member("growth")
    second_team = factory.member("starter").team_id
    both = factory.member(team_id=second_team)
    # `both` belongs to second_team only; add them to the first team too (as an admin: buyers).
    from app.accounts import teams as accounts
    from app.models import User

    with client.application.app_context():
        user = db.session.get(User, both.user_id)
        accounts.add_member(user, db.session.get(Team, first.team_id), "admin")
    assert buy(client, both, sandbox_number("415", 1), team_id=first.team_id).status_code == 200
    assert buy(client, both, sandbox_number("415", 2), team_id=second_team).status_code == 200
    assert listed(client, first).get_json()["count"] == 1


@pytest.mark.parametrize(
    ("phone_number", "reason"),
    [
        (None, "required"),
        ("", "required"),
        ("4155550101", "E.164"),
        ("+1 415 555 0101", "E.164"),
        ("+1415555010", "valid"),
        ("+19995550101", "valid"),
        (14155550101, "E.164"),
    ],
)
def test_phone_number_must_be_valid_e164(client, factory, phone_number, reason):
    member = factory.member("growth")
    response = client.post(
        PURCHASE,
        json={"phoneNumber": phone_number, "teamId": member.team_id},
        headers=member.headers,
    )
    fields = assert_error(response, 400, "invalid_request")["error"]["fields"]
    assert reason in fields["phoneNumber"]


def test_connection_id_must_be_a_string(client, factory):
    member = factory.member("growth")
    response = buy(client, member, sandbox_number("415", 1), connectionId=12)
    assert "connectionId" in assert_error(response, 400, "invalid_request")["error"]["fields"]
