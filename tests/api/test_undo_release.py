"""POST /api/phone-numbers/<id>/undo-release: a number released within its grace window comes
back as it was, if it fits the plan; too late, it says so."""

from datetime import timedelta

from app.models import utcnow
from app.numbers.sweeps import release_due
from tests.helpers import assert_error, bought_id, buy, listed, new_assistant, sandbox_number


def release(client, member, number_id):
    return client.delete(
        f"/api/phone-numbers/{number_id}",
        query_string={"teamId": member.team_id},
        headers=member.headers,
    )


def undo(client, member, number_id, team_id=None, **headers):
    return client.post(
        f"/api/phone-numbers/{number_id}/undo-release",
        json={"teamId": team_id or member.team_id},
        headers={**member.headers, **headers},
    )


def test_undo_brings_the_number_back_with_its_assistant_and_label(client, factory):
    member = factory.member("growth")
    number_id = bought_id(client, member, sandbox_number("415", 0))
    assistant = new_assistant(client, member, "Sales Agent")
    client.post(
        f"/api/assistants/{assistant}/phone-numbers",
        json={"phoneNumberIds": [number_id]},
        headers=member.headers,
    )
    client.patch(
        f"/api/phone-numbers/{number_id}",
        json={"teamId": member.team_id, "label": "Front desk"},
        headers=member.headers,
    )
    released = release(client, member, number_id).get_json()
    assert released["eligibility"]["currentCount"] == 0
    response = undo(client, member, number_id)
    assert response.status_code == 200
    body = response.get_json()
    assert body["message"] == (
        f"{sandbox_number('415', 0)} is back, answered by Sales Agent, as before its release."
    )
    assert body["eligibility"]["currentCount"] == 1
    number = body["phoneNumber"]
    assert (number["id"], number["status"], number["state"], number["release_at"]) == (
        number_id,
        "active",
        "active",
        None,
    )
    assert (number["assistant_id"], number["assistant_name"], number["label"]) == (
        assistant,
        "Sales Agent",
        "Front desk",
    )
    assert listed(client, member).get_json()["numbers"] == [number]


def test_undo_that_no_longer_fits_the_plan_is_refused_with_eligibility(client, factory):
    member = factory.member("starter")
    ids = [bought_id(client, member, sandbox_number("415", i)) for i in range(3)]
    release(client, member, ids[0])
    assert buy(client, member, sandbox_number("415", 3)).status_code == 200
    body = assert_error(undo(client, member, ids[0]), 403, "plan_limit_reached")
    assert body["eligibility"] == {
        "currentCount": 3,
        "maxAllowed": 3,
        "hasSubscription": True,
        "planName": "Starter",
    }
    assert "Release another number first, or choose a larger plan" in body["error"]["message"]
    row = next(n for n in listed(client, member).get_json()["numbers"] if n["id"] == ids[0])
    assert row["state"] == "releasing" and row["release_at"]  # still scheduled, still undoable


def test_too_late_once_released(app, client, factory):
    member = factory.member("growth")
    number_id = bought_id(client, member, sandbox_number("415", 0))
    release(client, member, number_id)
    with app.app_context():
        assert release_due(utcnow() + timedelta(minutes=61)) == 1
    body = assert_error(undo(client, member, number_id), 409, "number_unavailable")
    assert body["error"]["message"].startswith(
        f"Too late to undo: {sandbox_number('415', 0)} was released at "
    )


def test_undo_needs_nothing_to_undo_to_succeed_and_replays_with_its_key(client, factory):
    member = factory.member("growth")
    number_id = bought_id(client, member, sandbox_number("415", 0))
    assert undo(client, member, number_id).status_code == 200  # never released: nothing to do
    release(client, member, number_id)
    first = undo(client, member, number_id, **{"Idempotency-Key": "undo-1"})
    again = undo(client, member, number_id, **{"Idempotency-Key": "undo-1"})
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.get_json() == first.get_json()


def test_a_number_still_being_ordered_has_no_release_to_undo(client, factory):
    member = factory.member("growth")
    number_id = factory.number(member, sandbox_number("415", 0), status="reserving")
    body = assert_error(undo(client, member, number_id), 409, "number_unavailable")
    assert body["error"]["message"] == (
        f"{sandbox_number('415', 0)} is being ordered: no release to undo."
    )


def test_another_teams_number_is_not_found_and_stays_scheduled(client, factory):
    alice, bob = factory.member("growth"), factory.member("growth")
    number_id = bought_id(client, bob, sandbox_number("415", 0))
    release(client, bob, number_id)
    assert_error(undo(client, alice, number_id), 404, "not_found")
    assert_error(undo(client, alice, number_id, team_id=bob.team_id), 404, "team_not_found")
    assert listed(client, bob).get_json()["numbers"][0]["state"] == "releasing"


def test_a_member_may_not_undo(client, factory):
    owner = factory.member("growth")
    member = factory.member(team_id=owner.team_id, role="member")
    number_id = bought_id(client, owner, sandbox_number("415", 0))
    release(client, owner, number_id)
    body = assert_error(undo(client, member, number_id), 403, "forbidden")
    assert "(member) may not release numbers" in body["error"]["message"]
