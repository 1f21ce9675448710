from datetime import UTC, datetime, timedelta

from app.extensions import db
from app.models import Assistant, PhoneNumber
from tests.helpers import PURCHASE, assert_error, buy, listed, sandbox_number


def test_lists_the_teams_numbers_newest_first(client, factory):
    member = factory.member("growth")
    ids = [
        buy(client, member, sandbox_number("415", i)).get_json()["phoneNumber"]["id"]
        for i in range(3)
    ]
    body = listed(client, member).get_json()
    assert body["success"] is True and body["count"] == 3
    assert [n["id"] for n in body["numbers"]] == ids[::-1]
    first = body["numbers"][-1]
    assert list(first) == [
        "id",
        "phone_number",
        "provider",
        "status",
        "is_trial",
        "trial_expires_at",
        "assistant_id",
        "assistant_name",
        "created_by_email",
        "created_by_name",
        "created_at",
        # Extra fields after the contract's: the label, where the number stands in detail, and
        # when a release waiting out its grace window falls due.
        "label",
        "state",
        "pending_reason",
        "release_at",
    ]
    assert first["phone_number"] == sandbox_number("415", 0)
    assert (first["provider"], first["status"], first["is_trial"]) == ("sandbox", "active", False)
    assert first["assistant_id"] is None and first["assistant_name"] is None
    assert first["created_by_email"] == member.email
    assert first["created_by_name"] == member.email.replace("user", "User ").split("@")[0]
    created = datetime.strptime(first["created_at"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    assert abs(datetime.now(UTC) - created) < timedelta(minutes=1)


def test_shows_the_assigned_assistant(app, client, factory):
    member = factory.member("growth")
    number_id = buy(client, member, sandbox_number("415", 0)).get_json()["phoneNumber"]["id"]
    with app.app_context():
        assistant = Assistant(team_id=member.team_id, name="Sales Agent")
        db.session.add(assistant)
        db.session.flush()
        db.session.get(PhoneNumber, number_id).assistant_id = assistant.id
        db.session.commit()
        assistant_id = assistant.id
    (row,) = listed(client, member).get_json()["numbers"]
    assert (row["assistant_id"], row["assistant_name"]) == (assistant_id, "Sales Agent")


def test_an_expired_trial_reads_expired_before_any_job(app, client, factory, monkeypatch):
    member = factory.member("free")
    buy(client, member, sandbox_number("415", 0))
    (row,) = listed(client, member).get_json()["numbers"]  # the answer is now cached
    assert row["status"] == "active"
    expiry = datetime.strptime(row["trial_expires_at"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    # The clock (the app's and the in-process cache's) moves past the expiry; nothing is written.
    later = expiry + timedelta(seconds=1)
    monkeypatch.setattr("app.api.listing.utcnow", lambda: later)
    monkeypatch.setattr("cachelib.simple.time", later.timestamp)
    (row,) = listed(client, member).get_json()["numbers"]
    assert (row["status"], row["state"], row["is_trial"]) == ("expired", "expired", True)


def test_an_expiry_written_to_the_row_reads_expired_at_once(app, client, factory):
    member = factory.member("free")
    buy(client, member, sandbox_number("415", 0))
    assert listed(client, member).get_json()["numbers"][0]["status"] == "active"
    with app.app_context():
        db.session.execute(
            db.update(PhoneNumber).values(trial_expires_at=datetime.now(UTC) - timedelta(seconds=1))
        )
        db.session.commit()  # the write moves the team's version by itself
    (row,) = listed(client, member).get_json()["numbers"]
    assert (row["status"], row["is_trial"]) == ("expired", True)


def test_released_numbers_are_not_listed(app, client, factory):
    member = factory.member("growth")
    buy(client, member, sandbox_number("415", 0))
    kept = buy(client, member, sandbox_number("415", 1)).get_json()["phoneNumber"]["id"]
    with app.app_context():
        db.session.execute(
            db.update(PhoneNumber).where(PhoneNumber.id != kept).values(status="released")
        )
        db.session.commit()
    assert [n["id"] for n in listed(client, member).get_json()["numbers"]] == [kept]


def test_only_the_callers_teams_are_listed(client, factory):
    alice, bob = factory.member("growth"), factory.member("growth")
    buy(client, bob, sandbox_number("415", 0))
    foreign = assert_error(listed(client, alice, team_id=bob.team_id), 404, "team_not_found")
    unknown = assert_error(listed(client, alice, team_id="team_unknown"), 404, "team_not_found")
    assert foreign["error"]["message"] == unknown["error"]["message"]
    assert listed(client, alice).get_json() == {"success": True, "numbers": [], "count": 0}


def test_team_id_is_required(client, factory):
    response = client.get(PURCHASE, headers=factory.member().headers)
    assert "teamId" in assert_error(response, 400, "invalid_request")["error"]["fields"]
