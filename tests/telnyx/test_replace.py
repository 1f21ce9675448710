"""Replace at Telnyx, over real HTTP to the fake account: the replacement is held as a number
reservation; an order Telnyx completes late is finished by the sweep (the old number released
only then, with the grace); an order Telnyx refuses releases nothing."""

from __future__ import annotations

import sqlalchemy as sa

from app.extensions import db
from app.models import NumberReplacement, PhoneNumber
from app.numbers.takeover import complete_due_replacements
from tests.fakes.telnyx import error_body
from tests.helpers import assert_error, buy
from tests.telnyx import NUMBER

OLD = "+14155550150"


def owned_old(factory, fake, member) -> str:
    provider_id = fake.add_owned(OLD)
    return factory.number(
        member, OLD, provider="telnyx", provider_number_id=provider_id, assistant="Ava"
    )


def replace(client, member, number_id):
    return client.post(
        f"/api/phone-numbers/{number_id}/replace",
        json={"teamId": member.team_id},
        headers=member.headers,
    )


def row(app, number_id):
    with app.app_context():
        return db.session.get(PhoneNumber, number_id)


def test_a_late_order_completes_the_replacement_only_once_bought(app, client, factory, fake, sync):
    owner = factory.member("growth")
    old_id = owned_old(factory, fake, owner)
    held = replace(client, owner, old_id)
    assert held.status_code == 201, held.get_json()
    assert held.get_json()["replacement"]["phoneNumber"] == NUMBER
    assert [
        r.json["phone_numbers"] for r in fake.requests_to("POST", "/v2/number_reservations")
    ] == [[{"phone_number": NUMBER}]]

    fake.hold_orders = True
    bought = buy(client, owner, NUMBER)
    assert bought.get_json()["phoneNumber"]["status"] == "pending"
    with app.app_context():
        assert complete_due_replacements() == "0 replacements completed"  # not bought yet
    assert (row(app, old_id).status, row(app, old_id).release_after) == ("active", None)

    fake.complete_order(next(iter(fake.orders)))
    assert sync() == "1 of 1 pending numbers settled"
    with app.app_context():
        assert complete_due_replacements() == "1 replacements completed"
        assert complete_due_replacements() == "0 replacements completed"  # once
        new = db.session.scalar(sa.select(PhoneNumber).where(PhoneNumber.phone_number == NUMBER))
        assert new.assistant.name == "Ava"
    old = row(app, old_id)
    assert (old.status, old.status_reason) == ("releasing", "scheduled")
    assert fake.requests_to("DELETE", f"/v2/phone_numbers/{old.provider_number_id}") == []


def test_an_order_telnyx_refuses_releases_nothing(app, client, factory, fake):
    owner = factory.member("growth")
    old_id = owned_old(factory, fake, owner)
    assert replace(client, owner, old_id).status_code == 201
    fake.fail(
        "POST",
        "/v2/number_orders",
        status=422,
        body=error_body(422, detail="Number is no longer available", pointer="/phone_numbers/0"),
    )
    assert_error(buy(client, owner, NUMBER), 409, "number_unavailable")
    old = row(app, old_id)
    assert (old.status, old.release_after) == ("active", None)
    with app.app_context():
        assert db.session.scalar(sa.select(NumberReplacement.status)) == "waiting"
