"""Listing, assigning, releasing (dry run, then confirm) and a number's health over /mcp."""

from __future__ import annotations

from app.extensions import db
from app.models import PhoneNumber, Team
from tests.agents.mcp_client import call, calls


def status_of(app, number_id: str) -> tuple[str, str | None, str | None]:
    with app.app_context():
        number = db.session.get(PhoneNumber, number_id)
        return number.status, number.status_reason, number.assistant_id


def test_list_numbers_answers_as_the_api_lists(mcp, people):
    owner = people.member("growth")
    first = people.number(owner, "+14045550101", assistant="Ava")
    people.number(owner, "+14045550102")
    answer = call(mcp(owner.token), "list_numbers", {"assistant_id": "none"})
    assert [n["phone_number"] for n in answer.body["numbers"]] == ["+14045550102"]
    everything = call(mcp(owner.token), "list_numbers", {"limit": 1, "sort": "number"})
    assert [n["id"] for n in everything.body["numbers"]] == [first]
    assert everything.body["numbers"][0]["assistant_name"] == "Ava"
    assert everything.body["nextCursor"]
    bad = call(mcp(owner.token), "list_numbers", {"status": "sleeping", "limit": 0})
    assert bad.body["error"]["fields"] == {"limit": "limit must be a whole number from 1 to 200."}
    bad_status = call(mcp(owner.token), "list_numbers", {"status": "sleeping"})
    assert set(bad_status.body["error"]["fields"]) == {"status"}


def test_assign_by_name_or_id_and_unassign(server, mcp, people):
    owner = people.member("growth")
    number_id = people.number(owner, "+14045550103")
    ava = people.assistant(owner, "Ava Reception")
    session = mcp(owner.token)
    by_name, by_id, none, unknown = calls(
        session,
        ("assign_number", {"number_id": number_id, "assistant": "ava reception"}),
        ("assign_number", {"number_id": number_id, "assistant": ava}),
        ("assign_number", {"number_id": number_id, "assistant": None}),
        ("assign_number", {"number_id": number_id, "assistant": "Bob"}),
    )
    assert by_name.body["phoneNumber"]["assistant_id"] == ava
    assert by_id.body["phoneNumber"]["assistant_name"] == "Ava Reception"
    assert none.body["phoneNumber"]["assistant_id"] is None
    with server.app.app_context():
        team_name = db.session.get(Team, owner.team_id).name
    assert unknown.body["error"] == {
        "code": "not_found",
        "message": f"No assistant in {team_name} is called 'Bob'.",
    }
    assert status_of(server.app, number_id) == ("active", None, None)


def test_release_needs_a_dry_runs_confirmation(server, mcp, people):
    owner = people.member("growth")
    number_id = people.number(owner, "+14045550104", assistant="Ava")
    session = mcp(owner.token)
    without, dry = calls(
        session,
        ("release_number", {"number_id": number_id}),
        ("release_number", {"number_id": number_id, "dry_run": True}),
    )
    assert without.body["error"]["fields"] == {
        "confirm": "Call release_number with dry_run=true first, then again with the "
        "confirmation token it answers."
    }
    assert dry.body["dryRun"] is True
    assert dry.body["wouldHappen"][0].startswith("+14045550104 keeps answering calls until ")
    assert dry.body["wouldHappen"][1:] == [
        "It stops counting toward the plan's limit at once.",
        "Its assistant Ava stops answering on it then.",
    ]
    assert status_of(server.app, number_id)[0] == "active"  # a dry run changes nothing
    confirm = dry.body["confirm"]
    forged, done, again = calls(
        session,
        ("release_number", {"number_id": number_id, "confirm": confirm[:-2] + "xx"}),
        ("release_number", {"number_id": number_id, "confirm": confirm}),
        ("release_number", {"number_id": number_id, "confirm": confirm}),
    )
    assert forged.body["error"]["fields"] == {
        "confirm": "This confirmation is not valid. Call release_number with dry_run=true "
        "again for a new one."
    }
    assert done.body["phoneNumber"]["status"] == "releasing"
    assert done.body["phoneNumber"]["release_at"]
    assert status_of(server.app, number_id)[:2] == ("releasing", "scheduled")
    # The number changed since that dry run: its confirmation no longer fits.
    assert again.code == "conflict"


def test_a_confirmation_is_for_one_number_and_one_token(server, mcp, people):
    owner = people.member("growth")
    first = people.number(owner, "+14045550105")
    second = people.number(owner, "+14045550106")
    other_token = people.token(owner, ["numbers:manage"], name="Other")
    confirm = call(mcp(owner.token), "release_number", {"number_id": first, "dry_run": True})
    confirm = confirm.body["confirm"]
    moved = call(mcp(owner.token), "release_number", {"number_id": second, "confirm": confirm})
    lent = call(mcp(other_token), "release_number", {"number_id": first, "confirm": confirm})
    for answer in (moved, lent):
        assert answer.body["error"]["fields"] == {
            "confirm": "This confirmation is for another number or API token. Call "
            "release_number with dry_run=true again for a new one."
        }
    assert status_of(server.app, first)[0] == status_of(server.app, second)[0] == "active"


def test_number_health_says_what_is_known(mcp, people):
    owner = people.member("growth")
    number_id = people.number(owner, "+14045550107")
    health = call(mcp(owner.token), "number_health", {"number_id": number_id}).body["health"]
    assert health == {
        "state": "active",
        "ok": False,
        "checks": [
            {"check": "state", "ok": True, "detail": "Active: it takes calls."},
            {
                "check": "assistant",
                "ok": False,
                "detail": "No assistant answers on it: assign one.",
            },
        ],
        "provider": {
            "name": "sandbox",
            "numberId": "sandbox-14045550107",
            "orderId": None,
            "activatedAt": health["provider"]["activatedAt"],
        },
        "score": None,
    }
