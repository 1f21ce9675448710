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
from tests.helpers import assert_error, buy, search
from tests.invariants import assert_accounts_agree
from tests.pages.helpers import Auth, soup
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


# -- numbers Telnyx will not hold (its search says `reservable: false`) -------------------

UNHELD = "+14155550125"


def test_the_search_says_which_numbers_can_be_held_and_the_page_offers_only_those(
    app, client, factory, fake
):
    fake.add_available(UNHELD, reservable=False)
    owner = factory.member("growth")
    found = search(client, owner, areaCode="415").get_json()["numbers"]
    assert {n["phoneNumber"]: n.get("reservable") for n in found} == {
        NUMBER: None,  # said only of numbers that cannot be held
        OTHER: None,
        UNHELD: False,
    }
    Auth(client).sign_in(owner)
    page = soup(client.get(f"/teams/{owner.team_id}/search?country=US&area_code=415"))
    held = page.select_one("tr#offer-14155550125 td.offer-hold")
    assert held.select_one("button[data-hold]") is None
    assert held.select_one("[data-role=not-reservable]") is not None
    assert page.select_one("tr#offer-14155550125 td.offer-action button") is not None  # Buy
    assert page.select_one("tr#offer-14155550123 button[data-hold]") is not None


def test_a_number_telnyx_will_not_hold_is_refused_without_asking_and_can_still_be_bought(
    app, client, factory, fake
):
    fake.add_available(UNHELD, reservable=False)
    member = factory.member("growth")
    search(client, member, areaCode="415")
    response = client.post(
        "/api/phone-numbers/holds",
        json={"teamId": member.team_id, "phoneNumber": UNHELD},
        headers=member.headers,
    )
    body = assert_error(response, 409, "number_unavailable")
    assert "cannot be held" in body["error"]["message"]
    assert fake.requests_to("POST", RESERVATIONS) == []
    assert buy(client, member, UNHELD).status_code == 200


def test_the_fake_refuses_to_reserve_a_number_that_is_not_reservable(app, factory, fake):
    """Without a search's quote the hold is asked of Telnyx, which refuses it per number."""
    fake.add_available(UNHELD, reservable=False)
    member = factory.member("growth")
    with app.app_context():
        with pytest.raises(NumberUnavailable) as refused:
            hold_number(actor_of(member), UNHELD)
        assert db.session.scalars(db.select(CartItem)).all() == []
    (answer,) = [r for r in fake.reservations.values()]
    assert answer["status"] == "failure" and answer["phone_numbers"][0]["status"] == "failure"
    assert "not reservable" in refused.value.message
    assert fake.reserved_numbers() == set()


# -- a reservation answered `pending` is not a hold until Telnyx says `success` ----------


def test_a_pending_reservation_is_read_again_and_held_once_telnyx_says_success(app, factory, fake):
    fake.reservation_outcome(NUMBER, ["pending", "pending", "success"])
    member = factory.member("growth")
    with app.app_context():
        item = hold_number(actor_of(member), NUMBER)
        assert item.provider_hold_id in fake.reservations
    reads = fake.requests_to("GET", f"{RESERVATIONS}/{item.provider_hold_id}")
    assert len(reads) == 2  # read until it said success, then no more
    assert fake.reserved_numbers(ours=True) == {NUMBER}


def test_a_reservation_that_stays_pending_is_not_a_hold_and_the_user_is_told(
    app, client, factory, fake
):
    fake.reservation_outcome(NUMBER, ["pending"] * 100)
    member = factory.member("growth")
    response = client.post(
        "/api/phone-numbers/holds",
        json={"teamId": member.team_id, "phoneNumber": NUMBER},
        headers=member.headers,
    )
    body = assert_error(response, 409, "conflict")
    assert "not confirmed the hold" in body["error"]["message"]
    assert "not held" in body["error"]["message"]
    with app.app_context():
        assert db.session.scalars(db.select(CartItem)).all() == []
    (reservation,) = fake.reservations
    reads = fake.requests_to("GET", f"{RESERVATIONS}/{reservation}")
    assert 1 <= len(reads) <= 12  # re-read, but briefly (half a second at 0.05 s)


def test_a_pending_reservation_that_fails_is_refused(app, factory, fake):
    fake.reservation_outcome(NUMBER, ["pending", "failure"])
    member = factory.member("growth")
    with app.app_context():
        with pytest.raises(NumberUnavailable):
            hold_number(actor_of(member), NUMBER)
        assert db.session.scalars(db.select(CartItem)).all() == []
