"""`flask numbers sync`: every number between states settles from Telnyx's own state."""

from datetime import timedelta

import pytest

from app.extensions import db
from app.models import PhoneNumber, utcnow
from tests.helpers import buy
from tests.invariants import assert_accounts_agree
from tests.telnyx import NUMBER


def reserve(app, factory, **fields) -> str:
    """A reservation whose answer was lost: no order id, as a crash leaves it."""
    member = factory.member("growth")
    return factory.number(
        member,
        NUMBER,
        status="reserving",
        provider="telnyx",
        provider_number_id=None,
        customer_reference="pnr_lost",
        **fields,
    )


def row(app, number_id):
    with app.app_context():
        return db.session.get(PhoneNumber, number_id)


@pytest.mark.parametrize(
    ("record", "expected"),
    [
        ("active", "active"),
        ("purchase-pending", "reserving"),  # still on its way: kept, not owned yet
        ("requirement-info-pending", "reserving"),
        ("purchase-failed", None),  # not ours: the reservation goes
        ("deleted", None),
    ],
)
def test_a_reservation_without_an_order_settles_from_the_owned_record(
    app, factory, fake, sync, record, expected
):
    number_id = reserve(app, factory)
    owned_id = fake.add_owned(NUMBER, status=record)
    sync()
    found = row(app, number_id)
    assert (found.status if found else None) == expected
    if expected == "active":
        assert found.provider_number_id == owned_id


def test_a_young_reservation_is_left_alone_it_may_be_in_flight(app, factory, fake):
    number_id = reserve(app, factory)
    result = app.test_cli_runner().invoke(args=["numbers", "sync"])  # default grace: 120 s
    assert result.output.strip() == "0 of 0 pending numbers settled"
    assert row(app, number_id).status == "reserving"
    assert fake.requests == []


def test_an_old_reservation_with_no_order_and_no_number_goes(app, factory, fake, sync):
    number_id = reserve(app, factory, created_at=utcnow() - timedelta(minutes=5))
    assert sync() == "1 of 1 pending numbers settled"
    assert row(app, number_id) is None
    assert_accounts_agree(app, fake)


def test_sync_follows_an_order_to_its_end(app, client, factory, fake, sync):
    member = factory.member("growth")
    fake.hold_orders = True
    number_id = buy(client, member, NUMBER).get_json()["phoneNumber"]["id"]
    assert sync() == "0 of 1 pending numbers settled"
    fake.complete_order(next(iter(fake.orders)))
    assert sync() == "1 of 1 pending numbers settled"
    assert row(app, number_id).status == "active"
    assert sync() == "0 of 0 pending numbers settled"
    assert_accounts_agree(app, fake)


def test_sync_survives_telnyx_failing_and_tries_again_next_time(app, client, factory, fake, sync):
    member = factory.member("growth")
    fake.hold_orders = True
    number_id = buy(client, member, NUMBER).get_json()["phoneNumber"]["id"]
    fake.complete_order(next(iter(fake.orders)))
    fake.fail("GET", "/v2/number_orders/*", status=500, times=3)  # one sync, retries and all
    assert sync() == "0 of 1 pending numbers settled"
    assert row(app, number_id).status == "pending"
    assert sync() == "1 of 1 pending numbers settled"
    assert row(app, number_id).status == "active"
