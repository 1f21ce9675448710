from datetime import timedelta

from app.extensions import db
from app.models import IdempotencyRecord, PhoneNumber, utcnow
from tests.helpers import PURCHASE, assert_error, sandbox_number


def purchase(client, member, number, key, team_id=None):
    return client.post(
        PURCHASE,
        json={"phoneNumber": number, "teamId": team_id or member.team_id},
        headers={**member.headers, "Idempotency-Key": key},
    )


def held(app):
    with app.app_context():
        return db.session.scalar(db.select(db.func.count()).select_from(PhoneNumber))


def test_a_retried_purchase_returns_the_first_answer_and_buys_once(app, client, factory):
    member = factory.member("growth")
    first = purchase(client, member, sandbox_number("415", 1), "click-1")
    again = purchase(client, member, sandbox_number("415", 1), "click-1")
    assert first.status_code == again.status_code == 200
    assert again.get_json() == first.get_json()
    assert again.headers["Idempotent-Replayed"] == "true"
    assert held(app) == 1


def test_the_same_key_with_another_body_is_422(app, client, factory):
    member = factory.member("growth")
    purchase(client, member, sandbox_number("415", 1), "k")
    assert_error(
        purchase(client, member, sandbox_number("415", 2), "k"), 422, "idempotency_key_reused"
    )
    assert held(app) == 1


def test_keys_are_per_team(app, client, factory):
    alice, bob = factory.member("growth"), factory.member("growth")
    assert purchase(client, alice, sandbox_number("415", 1), "same").status_code == 200
    assert purchase(client, bob, sandbox_number("415", 2), "same").status_code == 200
    assert held(app) == 2


def test_a_refusal_is_replayed_too(client, factory, runner):
    member = factory.member("free")
    purchase(client, member, sandbox_number("415", 1), "a")
    refused = purchase(client, member, sandbox_number("415", 2), "b")
    assert_error(refused, 403, "plan_limit_reached")
    runner.invoke(args=["teams", "set-plan", member.team_id, "growth"])
    replayed = purchase(client, member, sandbox_number("415", 2), "b")
    assert (replayed.status_code, replayed.get_json()) == (403, refused.get_json())
    assert purchase(client, member, sandbox_number("415", 2), "c").status_code == 200


def test_keys_expire_after_24_hours(app, client, factory):
    member = factory.member("growth")
    purchase(client, member, sandbox_number("415", 1), "old")
    with app.app_context():
        db.session.execute(
            db.update(IdempotencyRecord).values(created_at=utcnow() - timedelta(hours=25))
        )
        db.session.commit()
    assert purchase(client, member, sandbox_number("415", 2), "old").status_code == 200
    assert held(app) == 2


def test_release_with_a_key_is_replayed(app, client, factory):
    member = factory.member("growth")
    number_id = purchase(client, member, sandbox_number("415", 1), "p").get_json()["phoneNumber"][
        "id"
    ]
    url = f"/api/phone-numbers/{number_id}?teamId={member.team_id}"
    headers = {**member.headers, "Idempotency-Key": "r"}
    first, again = client.delete(url, headers=headers), client.delete(url, headers=headers)
    assert first.status_code == again.status_code == 200
    assert again.get_json() == first.get_json() and again.headers["Idempotent-Replayed"] == "true"


def test_bad_keys_and_foreign_teams(client, factory):
    member, other = factory.member("growth"), factory.member("growth")
    fields = assert_error(
        purchase(client, member, sandbox_number("415", 1), "x" * 256), 400, "invalid_request"
    )
    assert "Idempotency-Key" in fields["error"]["fields"]
    assert_error(
        purchase(client, member, sandbox_number("415", 1), "k", team_id=other.team_id),
        404,
        "team_not_found",
    )


def test_a_key_whose_request_died_becomes_retryable_after_its_lease(app, client, factory):
    from app.idempotency import LEASE, fingerprint

    member = factory.member("growth")
    number = sandbox_number("415", 3)
    body = {"phoneNumber": number, "teamId": member.team_id}
    request_print = fingerprint("POST", PURCHASE, [], body)
    with app.app_context():  # the first request claimed the key, then its process died
        db.session.add(
            IdempotencyRecord(
                team_id=member.team_id, key="died", fingerprint=request_print, created_at=utcnow()
            )
        )
        db.session.commit()
    assert_error(purchase(client, member, number, "died"), 409, "idempotency_key_in_use")
    with app.app_context():  # ... and the lease ran out
        record = db.session.scalar(db.select(IdempotencyRecord))
        record.created_at = utcnow() - LEASE - timedelta(seconds=1)
        db.session.commit()
    retried = purchase(client, member, number, "died")
    assert retried.status_code == 200 and "Idempotent-Replayed" not in retried.headers
    again = purchase(client, member, number, "died")
    assert again.headers["Idempotent-Replayed"] == "true"  # the retry's answer is the key's now
    assert held(app) == 1
