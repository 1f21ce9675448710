"""Holds and bulk orders on Telnyx: a hold is a number reservation (30 minutes), a number
another customer reserved cannot be held or bought, and an order buys the held numbers."""

from __future__ import annotations

from datetime import timedelta

import pytest

from app.exceptions import NumberUnavailable
from app.extensions import db
from app.models import CartItem, utcnow
from app.numbers.cart import hold_number
from tests.factories import actor_of
from tests.helpers import search
from tests.invariants import assert_accounts_agree
from tests.telnyx import NUMBER, OTHER

RESERVATIONS = "/v2/number_reservations"


def test_holding_reserves_the_number_at_telnyx_for_thirty_minutes(app, client, factory, fake):
    member = factory.member("growth")
    search(client, member, areaCode="415")  # the quote the cart shows comes from a search
    with app.app_context():
        item = hold_number(actor_of(member), NUMBER)
        assert item.provider_hold_id in fake.reservations
        assert timedelta(minutes=29) < item.expires_at - utcnow() <= timedelta(minutes=30)
        assert (str(item.monthly_price), str(item.setup_price)) == ("1.50", "0.50")
    (sent,) = fake.requests_to("POST", RESERVATIONS)
    assert sent.json["phone_numbers"] == [{"phone_number": NUMBER}]
    assert sent.json["customer_reference"] == f"{member.team_id}:{NUMBER}"
    assert fake.reserved_numbers(ours=True) == {NUMBER}


def test_a_number_another_customer_reserved_cannot_be_held(app, factory, fake):
    member = factory.member("growth")
    fake.hold_elsewhere(NUMBER)
    with app.app_context():
        with pytest.raises(NumberUnavailable) as refused:
            hold_number(actor_of(member), NUMBER)
        assert db.session.scalars(db.select(CartItem)).all() == []
    assert "reserved by another customer" in refused.value.message


def test_a_reservation_lapses_after_thirty_minutes_at_telnyx(fake, app, factory):
    member = factory.member("growth")
    with app.app_context():
        hold_number(actor_of(member), NUMBER)
    assert fake.reserved_numbers() == {NUMBER}
    fake.clock_offset = 31 * 60
    assert fake.reserved_numbers() == set()


def test_an_order_buys_held_numbers_and_the_accounts_agree(app, client, factory, fake):
    member = factory.member("growth")
    search(client, member, areaCode="415")
    with app.app_context():
        hold_number(actor_of(member), NUMBER)
        hold_number(actor_of(member), OTHER)
    body = {"teamId": member.team_id, "phoneNumbers": [NUMBER, OTHER]}
    response = client.post("/api/phone-numbers/orders", json=body, headers=member.headers)
    placed = response.get_json()["order"]
    assert [n["status"] for n in placed["numbers"]] == ["bought", "bought"]
    with app.app_context():
        assert db.session.scalars(db.select(CartItem)).all() == []
    assert fake.reserved_numbers() == set()  # the orders used the holds up
    assert_accounts_agree(app, fake)


def test_another_customers_reservation_makes_that_number_unavailable_in_an_order(
    app, client, factory, fake
):
    member = factory.member("growth")
    fake.hold_elsewhere(OTHER)
    body = {"teamId": member.team_id, "phoneNumbers": [NUMBER, OTHER]}
    placed = client.post("/api/phone-numbers/orders", json=body, headers=member.headers).get_json()[
        "order"
    ]
    assert [n["status"] for n in placed["numbers"]] == ["bought", "unavailable"]
    assert placed["status"] == "partial"
    assert_accounts_agree(app, fake)


def test_holding_longer_extends_the_reservation_and_a_lapsed_one_says_so(app, factory, fake):
    from app.numbers.cart import extend_hold

    member = factory.member("growth")
    with app.app_context():
        item = hold_number(actor_of(member), NUMBER)
        item_id, reservation = item.id, item.provider_hold_id
    fake.clock_offset = 20 * 60  # 20 minutes later, at Telnyx
    with app.app_context():
        extended = extend_hold(actor_of(member), item_id)
        assert extended.provider_hold_id == reservation
    (sent,) = fake.requests_to("POST", f"{RESERVATIONS}/{reservation}/actions/extend")
    assert sent is not None
    assert fake.reserved_numbers(ours=True) == {NUMBER}
    fake.clock_offset = 20 * 60 + 31 * 60  # past the extended 30 minutes at Telnyx
    with app.app_context(), pytest.raises(NumberUnavailable) as lapsed:
        extend_hold(actor_of(member), item_id)
    assert "has ended at Telnyx" in lapsed.value.message
