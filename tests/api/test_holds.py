"""Holds on the API: a number held for the team for 30 minutes, the cart's totals and what the
plan allows, another team refused while it lasts, and dropping a hold."""

from __future__ import annotations

import pytest

from tests.helpers import assert_error, buy, sandbox_number, search

HOLDS = "/api/phone-numbers/holds"


def hold(client, member, phone_number):
    body = {"teamId": member.team_id, "phoneNumber": phone_number}
    return client.post(HOLDS, json=body, headers=member.headers)


def cart(client, member):
    return client.get(HOLDS, query_string={"teamId": member.team_id}, headers=member.headers)


def test_a_hold_says_where_what_it_costs_and_until_when(client, factory):
    member = factory.member("starter")
    response = hold(client, member, sandbox_number("312", 4))
    assert response.status_code == 201
    held = response.get_json()["hold"]
    assert held["id"].startswith("hold_")
    assert held["region"] == "Chicago, IL"
    assert (held["monthlyPrice"], held["setupPrice"], held["features"]) == (
        "1.00",
        "1.00",
        ["voice", "sms"],
    )
    assert held["heldUntil"].endswith("Z")
    listed = cart(client, member).get_json()
    assert [h["id"] for h in listed["holds"]] == [held["id"]]
    assert (listed["dueNow"], listed["perMonth"], listed["planAllows"]) == ("2.00", "1.00", 3)


def test_another_team_is_neither_offered_nor_allowed_a_held_number(client, factory):
    member, rival = factory.member("growth"), factory.member("growth")
    hold(client, member, sandbox_number("415", 0))
    offered = [
        n["phoneNumber"] for n in search(client, rival, areaCode="415", limit=1).json["numbers"]
    ]
    assert offered == [sandbox_number("415", 1)]
    assert_error(hold(client, rival, sandbox_number("415", 0)), 409, "number_unavailable")
    assert_error(buy(client, rival, sandbox_number("415", 0)), 409, "number_unavailable")
    # The team holding it buys it as usual.
    assert buy(client, member, sandbox_number("415", 0)).status_code == 200
    assert cart(client, member).get_json()["holds"] == []


def test_dropping_a_hold_frees_the_number(client, factory):
    member, rival = factory.member("growth"), factory.member("growth")
    held = hold(client, member, sandbox_number("415", 0)).get_json()["hold"]
    dropped = client.delete(
        f"{HOLDS}/{held['id']}", query_string={"teamId": member.team_id}, headers=member.headers
    )
    assert dropped.status_code == 200 and dropped.get_json()["hold"]["id"] == held["id"]
    assert hold(client, rival, sandbox_number("415", 0)).status_code == 201


@pytest.mark.parametrize("role", ["member", "admin"])
def test_members_and_admins_hold_for_the_team(client, factory, role):
    owner = factory.member("growth")
    someone = factory.member(team_id=owner.team_id, role=role)
    assert hold(client, someone, sandbox_number("415", 0)).status_code == 201
    held = cart(client, owner).get_json()  # the team's cart, whoever holds
    assert [h["phoneNumber"] for h in held["holds"]] == [sandbox_number("415", 0)]


@pytest.mark.filterwarnings("ignore::DeprecationWarning:jsonschema")
def test_hold_answers_match_the_openapi_document(client, factory):
    from tests.api.test_openapi import check

    member = factory.member("growth")
    made = check(hold(client, member, sandbox_number("415", 0)), HOLDS, "post").get_json()
    check(hold(client, member, sandbox_number("415", 0)), HOLDS, "post")  # 409: already held
    check(cart(client, member), HOLDS, "get")
    dropped = client.delete(
        f"{HOLDS}/{made['hold']['id']}",
        query_string={"teamId": member.team_id},
        headers=member.headers,
    )
    check(dropped, "/api/phone-numbers/holds/{holdId}", "delete")
