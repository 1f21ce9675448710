"""Idempotency-Key edges no other test reached: a key sent for a team the caller is not in
is never claimed, and a key stays good for its whole 24 hours."""

from datetime import timedelta

from app.extensions import db
from app.models import IdempotencyRecord, PhoneNumber, utcnow
from tests.helpers import PURCHASE, assert_error, sandbox_number


def purchase(client, member, number, key, team_id):
    return client.post(
        PURCHASE,
        json={"phoneNumber": number, "teamId": team_id},
        headers={**member.headers, "Idempotency-Key": key},
    )


def test_a_key_sent_for_another_team_is_not_claimed_so_its_owner_can_still_buy(
    app, client, factory
):
    owner, stranger = factory.member("growth"), factory.member("growth")
    number = sandbox_number("415", 4)
    refused = purchase(client, stranger, number, "shared-key", owner.team_id)
    assert_error(refused, 404, "team_not_found")
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(IdempotencyRecord)) == 0
    bought = purchase(client, owner, number, "shared-key", owner.team_id)
    assert bought.status_code == 200, bought.get_data(as_text=True)
    assert "Idempotent-Replayed" not in bought.headers
    assert bought.get_json()["phoneNumber"]["phone_number"] == number


def test_a_key_used_23_hours_ago_still_replays(app, client, factory):
    owner = factory.member("growth")
    first = purchase(client, owner, sandbox_number("415", 5), "yesterday", owner.team_id)
    assert first.status_code == 200
    with app.app_context():
        db.session.execute(
            db.update(IdempotencyRecord).values(created_at=utcnow() - timedelta(hours=23))
        )
        db.session.commit()
    again = purchase(client, owner, sandbox_number("415", 5), "yesterday", owner.team_id)
    assert again.headers.get("Idempotent-Replayed") == "true"
    assert (again.status_code, again.get_json()) == (200, first.get_json())
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(PhoneNumber)) == 1
