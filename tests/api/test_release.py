from datetime import UTC, datetime, timedelta

from app.extensions import db
from app.models import AuditEvent, PhoneNumber, utcnow
from app.numbers.sweeps import release_due
from tests.helpers import assert_error, bought_id, buy, listed, new_assistant, sandbox_number


def release(client, member, number_id, team_id=None):
    return client.delete(
        f"/api/phone-numbers/{number_id}",
        query_string={"teamId": team_id or member.team_id},
        headers=member.headers,
    )


def sweep(app, minutes: int = 61) -> int:
    """The release sweep, run as if `minutes` had passed."""
    with app.app_context():
        return release_due(utcnow() + timedelta(minutes=minutes))


def test_release_frees_the_slot_at_once_and_the_sweep_hides_the_number(app, client, factory):
    member = factory.member("starter")
    ids = [bought_id(client, member, sandbox_number("415", i)) for i in range(3)]
    assert_error(buy(client, member, sandbox_number("415", 3)), 403, "plan_limit_reached")
    response = release(client, member, ids[0])
    assert response.status_code == 200
    body = response.get_json()
    scheduled = body["phoneNumber"]
    assert (scheduled["status"], scheduled["released_at"]) == ("releasing", None)
    due = datetime.fromisoformat(scheduled["release_at"])
    assert timedelta(minutes=59) < due - datetime.now(UTC) <= timedelta(minutes=60)
    assert scheduled["message"] == (
        f"Phone number releases at {scheduled['release_at']}; until then it keeps working, "
        f"and POST /api/phone-numbers/{ids[0]}/undo-release brings it back"
    )
    assert body["eligibility"]["currentCount"] == 2  # freed at once
    # Still listed (it works until then), as active, releasing, with when.
    row = next(n for n in listed(client, member).get_json()["numbers"] if n["id"] == ids[0])
    assert (row["status"], row["state"], row["release_at"]) == (
        "active",
        "releasing",
        scheduled["release_at"],
    )
    assert buy(client, member, sandbox_number("415", 3)).status_code == 200
    assert sweep(app, minutes=59) == 0  # not yet
    assert sweep(app) == 1
    assert ids[0] not in [n["id"] for n in listed(client, member).get_json()["numbers"]]
    with app.app_context():
        kept = db.session.get(PhoneNumber, ids[0])
        assert kept.status == "released"  # kept for history


def test_with_no_window_a_release_is_done_at_once_and_answers_as_it_always_did(
    app, client, factory, release_at_once
):
    member = factory.member("starter")
    ids = [bought_id(client, member, sandbox_number("415", i)) for i in range(3)]
    body = release(client, member, ids[0]).get_json()
    released = body["phoneNumber"]
    assert set(released) == {"id", "phone_number", "status", "released_at", "message"}
    assert (released["status"], released["message"]) == ("released", "Phone number released")
    assert released["released_at"] and body["eligibility"]["currentCount"] == 2
    assert ids[0] not in [n["id"] for n in listed(client, member).get_json()["numbers"]]
    assert all(n["release_at"] is None for n in listed(client, member).get_json()["numbers"])


def test_release_is_safe_to_retry_and_unassigns_once_done(app, client, factory):
    member = factory.member("growth")
    number = bought_id(client, member, sandbox_number("415", 0))
    assistant = new_assistant(client, member)
    client.post(
        f"/api/assistants/{assistant}/phone-numbers",
        json={"phoneNumberIds": [number]},
        headers=member.headers,
    )
    first = release(client, member, number).get_json()["phoneNumber"]
    again = release(client, member, number)  # the first schedule stands: same time
    assert again.status_code == 200 and again.get_json()["phoneNumber"] == first
    with app.app_context():
        assert db.session.get(PhoneNumber, number).assistant_id == assistant  # it still answers
    assert sweep(app) == 1
    done = release(client, member, number).get_json()["phoneNumber"]
    assert (done["status"], done["release_at"]) == ("released", None)
    with app.app_context():
        assert db.session.get(PhoneNumber, number).assistant_id is None
        actions = db.session.scalars(
            db.select(AuditEvent.action).order_by(AuditEvent.created_at)
        ).all()
        assert (actions.count("release_schedule"), actions.count("release")) == (1, 1)


def test_a_released_number_stays_held_until_done_then_another_team_can_buy_it(app, client, factory):
    alice, bob = factory.member("growth"), factory.member("growth")
    number = bought_id(client, alice, sandbox_number("415", 5))
    release(client, alice, number)
    assert_error(buy(client, bob, sandbox_number("415", 5)), 409, "number_unavailable")
    mine = assert_error(buy(client, alice, sandbox_number("415", 5)), 409, "number_unavailable")
    assert "undo the release to keep it" in mine["error"]["message"]
    sweep(app)
    assert buy(client, bob, sandbox_number("415", 5)).status_code == 200


def test_release_of_another_teams_number_is_404(client, factory):
    alice, bob = factory.member("growth"), factory.member("growth")
    number = bought_id(client, bob, sandbox_number("415", 0))
    assert_error(release(client, alice, number), 404, "not_found")
    assert_error(release(client, alice, number, team_id=bob.team_id), 404, "team_not_found")
    assert listed(client, bob).get_json()["count"] == 1


def test_labels(app, client, factory):
    member = factory.member("growth")
    number = bought_id(client, member, sandbox_number("415", 0))
    url = f"/api/phone-numbers/{number}"
    response = client.patch(
        url, json={"teamId": member.team_id, "label": "  Support\x07 line "}, headers=member.headers
    )
    assert (
        response.status_code == 200
        and response.get_json()["phoneNumber"]["label"] == "Support line"
    )
    assert listed(client, member).get_json()["numbers"][0]["label"] == "Support line"
    too_long = client.patch(
        url, json={"teamId": member.team_id, "label": "x" * 81}, headers=member.headers
    )
    assert "label" in assert_error(too_long, 400, "invalid_request")["error"]["fields"]
    cleared = client.patch(
        url, json={"teamId": member.team_id, "label": None}, headers=member.headers
    )
    assert cleared.get_json()["phoneNumber"]["label"] is None
    with app.app_context():
        events = db.session.scalars(db.select(AuditEvent).where(AuditEvent.action == "label")).all()
        assert [(e.before, e.after) for e in events] == [
            ({"label": None}, {"label": "Support line"}),
            ({"label": "Support line"}, {"label": None}),
        ]
