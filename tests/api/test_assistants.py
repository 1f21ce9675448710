import re

import pytest

from app.extensions import db
from app.models import AuditEvent
from tests.helpers import assert_error, bought_id, listed, new_assistant, sandbox_number


def assign(client, member, assistant_id, ids):
    return client.post(
        f"/api/assistants/{assistant_id}/phone-numbers",
        json={"phoneNumberIds": ids},
        headers=member.headers,
    )


def assistants(client, member):
    response = client.get(
        "/api/assistants", query_string={"teamId": member.team_id}, headers=member.headers
    )
    assert response.status_code == 200
    return response.get_json()["assistants"]


def by_id(client, member):
    return {n["id"]: n for n in listed(client, member).get_json()["numbers"]}


def test_create_list_rename_delete(client, factory):
    member = factory.member("growth")
    assistant_id = new_assistant(client, member, "  Sales   Agent ")
    assert re.fullmatch(r"asst_[0-9a-z]{26}", assistant_id)
    new_assistant(client, member, "Billing bot")
    rows = assistants(client, member)
    assert [(a["name"], a["phone_number_count"]) for a in rows] == [
        ("Billing bot", 0),
        ("Sales Agent", 0),
    ]
    renamed = client.patch(
        f"/api/assistants/{assistant_id}", json={"name": "Closer"}, headers=member.headers
    )
    assert renamed.get_json()["assistant"]["name"] == "Closer"
    deleted = client.delete(f"/api/assistants/{assistant_id}", headers=member.headers)
    assert deleted.status_code == 200
    assert [a["name"] for a in assistants(client, member)] == ["Billing bot"]


@pytest.mark.parametrize("name", ["", "   ", None, 42, "x" * 121])
def test_names_are_validated(client, factory, name):
    member = factory.member("growth")
    response = client.post(
        "/api/assistants", json={"teamId": member.team_id, "name": name}, headers=member.headers
    )
    assert "name" in assert_error(response, 400, "invalid_request")["error"]["fields"]


def test_assign_shows_in_the_list_and_moves_between_assistants(client, factory):
    member = factory.member("growth")
    first, second = (
        bought_id(client, member, sandbox_number("415", 0)),
        bought_id(client, member, sandbox_number("415", 1)),
    )
    sales, support = (
        new_assistant(client, member, "Sales"),
        new_assistant(client, member, "Support"),
    )
    assert assign(client, member, sales, [first, second]).status_code == 200
    rows = by_id(client, member)
    assert (rows[first]["assistant_id"], rows[first]["assistant_name"]) == (sales, "Sales")
    assert assign(client, member, support, [second]).status_code == 200
    rows = by_id(client, member)
    assert rows[first]["assistant_name"] == "Sales" and rows[second]["assistant_name"] == "Support"
    counts = {a["name"]: a["phone_number_count"] for a in assistants(client, member)}
    assert counts == {"Sales": 1, "Support": 1}


def test_assign_is_all_or_nothing(client, factory):
    member, other = factory.member("growth"), factory.member("growth")
    mine = bought_id(client, member, sandbox_number("415", 0))
    theirs = bought_id(client, other, sandbox_number("415", 1))
    assistant = new_assistant(client, member)
    assert_error(assign(client, member, assistant, [mine, theirs]), 404, "not_found")
    assert_error(assign(client, member, assistant, [mine, "pn_nope"]), 404, "not_found")
    assert by_id(client, member)[mine]["assistant_id"] is None
    assert by_id(client, other)[theirs]["assistant_id"] is None


@pytest.mark.parametrize("ids", [[], "pn_x", [1], None])
def test_assign_validates_the_list(client, factory, ids):
    member = factory.member("growth")
    assistant = new_assistant(client, member)
    assert (
        "phoneNumberIds"
        in assert_error(assign(client, member, assistant, ids), 400, "invalid_request")["error"][
            "fields"
        ]
    )


def test_unassign_and_retry(client, factory):
    member = factory.member("growth")
    number = bought_id(client, member, sandbox_number("415", 0))
    assistant = new_assistant(client, member)
    assign(client, member, assistant, [number])
    url = f"/api/assistants/{assistant}/phone-numbers/{number}"
    assert client.delete(url, headers=member.headers).status_code == 200
    assert by_id(client, member)[number]["assistant_id"] is None
    assert client.delete(url, headers=member.headers).status_code == 200  # safe to retry


def test_deleting_an_assistant_unassigns_its_numbers(client, factory):
    member = factory.member("growth")
    number = bought_id(client, member, sandbox_number("415", 0))
    assistant = new_assistant(client, member)
    assign(client, member, assistant, [number])
    client.delete(f"/api/assistants/{assistant}", headers=member.headers)
    row = by_id(client, member)[number]
    assert (row["status"], row["assistant_id"], row["assistant_name"]) == ("active", None, None)


def test_another_teams_assistant_is_404_everywhere(client, factory):
    member, other = factory.member("growth"), factory.member("growth")
    theirs = new_assistant(client, other)
    mine = bought_id(client, member, sandbox_number("415", 0))
    h = member.headers
    assert_error(
        client.patch(f"/api/assistants/{theirs}", json={"name": "x"}, headers=h), 404, "not_found"
    )
    assert_error(client.delete(f"/api/assistants/{theirs}", headers=h), 404, "not_found")
    assert_error(assign(client, member, theirs, [mine]), 404, "not_found")
    assert_error(
        client.delete(f"/api/assistants/{theirs}/phone-numbers/{mine}", headers=h), 404, "not_found"
    )
    foreign_list = client.get("/api/assistants", query_string={"teamId": other.team_id}, headers=h)
    assert_error(foreign_list, 404, "team_not_found")
    assert [a["name"] for a in assistants(client, other)] == ["Sales Agent"]


def test_assignments_are_in_the_history(app, client, factory):
    member = factory.member("growth")
    number = bought_id(client, member, sandbox_number("415", 0))
    assistant = new_assistant(client, member, "Sales")
    assign(client, member, assistant, [number])
    client.delete(f"/api/assistants/{assistant}/phone-numbers/{number}", headers=member.headers)
    with app.app_context():
        events = db.session.scalars(db.select(AuditEvent).order_by(AuditEvent.created_at)).all()
        assert [e.action for e in events] == ["purchase", "assistant_create", "assign", "unassign"]
        assert events[2].after == {"assistant_id": assistant, "assistant_name": "Sales"}
        assert events[3].before == {"assistant_id": assistant, "assistant_name": "Sales"}
        assert {e.actor_id for e in events} == {member.user_id}


def test_a_name_the_team_already_uses_is_a_conflict_whatever_its_case(client, factory):
    member = factory.member("growth")
    new_assistant(client, member, "Sales")
    response = client.post(
        "/api/assistants", json={"teamId": member.team_id, "name": "SALES"}, headers=member.headers
    )
    body = assert_error(response, 409, "conflict")
    assert body["error"]["fields"]["name"] == "This team already has an assistant called Sales."
