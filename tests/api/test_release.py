from app.extensions import db
from app.models import AuditEvent, PhoneNumber
from tests.helpers import assert_error, bought_id, buy, listed, new_assistant, sandbox_number


def release(client, member, number_id, team_id=None):
    return client.delete(
        f"/api/phone-numbers/{number_id}",
        query_string={"teamId": team_id or member.team_id},
        headers=member.headers,
    )


def test_release_frees_the_slot_and_hides_the_number(app, client, factory):
    member = factory.member("starter")
    ids = [bought_id(client, member, sandbox_number("415", i)) for i in range(3)]
    assert_error(buy(client, member, sandbox_number("415", 3)), 403, "plan_limit_reached")
    response = release(client, member, ids[0])
    assert response.status_code == 200
    body = response.get_json()
    assert body["phoneNumber"]["status"] == "released" and body["phoneNumber"]["released_at"]
    assert body["eligibility"]["currentCount"] == 2
    assert ids[0] not in [n["id"] for n in listed(client, member).get_json()["numbers"]]
    assert buy(client, member, sandbox_number("415", 3)).status_code == 200
    with app.app_context():
        kept = db.session.get(PhoneNumber, ids[0])
        assert kept.status == "released"  # kept for history


def test_release_is_safe_to_retry_and_unassigns(app, client, factory):
    member = factory.member("growth")
    number = bought_id(client, member, sandbox_number("415", 0))
    assistant = new_assistant(client, member)
    client.post(
        f"/api/assistants/{assistant}/phone-numbers",
        json={"phoneNumberIds": [number]},
        headers=member.headers,
    )
    assert release(client, member, number).status_code == 200
    again = release(client, member, number)
    assert again.status_code == 200 and again.get_json()["phoneNumber"]["status"] == "released"
    with app.app_context():
        assert db.session.get(PhoneNumber, number).assistant_id is None
        actions = db.session.scalars(
            db.select(AuditEvent.action).order_by(AuditEvent.created_at)
        ).all()
        assert actions.count("release") == 1


def test_a_released_number_can_be_bought_by_another_team(client, factory):
    alice, bob = factory.member("growth"), factory.member("growth")
    number = bought_id(client, alice, sandbox_number("415", 5))
    release(client, alice, number)
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
