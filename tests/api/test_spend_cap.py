"""The monthly spend cap on every purchase path: a purchase that would pass it is `403
spend_cap_reached` with the cap and what is spent, and nothing is held or bought.

Sandbox US local numbers cost $1.00 setup and $1.00 a month: $2.00 each this month.
"""

from __future__ import annotations

import sqlalchemy as sa

from app.extensions import db
from app.models import HELD, CartItem, PhoneNumber
from app.numbers import purchasing
from tests.factories import guard
from tests.helpers import PURCHASE, assert_error, bought_id, buy, sandbox_number


def held(app, team_id: str) -> list[str]:
    with app.app_context():
        return db.session.scalars(
            sa.select(PhoneNumber.phone_number).where(
                PhoneNumber.team_id == team_id, PhoneNumber.status.in_(HELD)
            )
        ).all()


def test_a_purchase_that_would_pass_the_cap_is_refused_with_the_figures(app, client, factory):
    owner = factory.member("growth")
    guard(app, owner, spend_cap="5.00")
    for index in range(2):
        bought_id(client, owner, sandbox_number("415", index))
    body = assert_error(buy(client, owner, sandbox_number("415", 2)), 403, "spend_cap_reached")
    assert body["spending"] == {"cap": "5.00", "spent": "4.00", "thisPurchase": "2.00"}
    message = body["error"]["message"]
    assert "$6.00" in message and "$5.00" in message and "$1.00 left" in message
    assert "eligibility" not in body
    assert len(held(app, owner.team_id)) == 2


def test_a_purchase_that_reaches_the_cap_exactly_is_allowed(app, client, factory):
    owner = factory.member("growth")
    guard(app, owner, spend_cap="4.00")
    for index in range(2):
        bought_id(client, owner, sandbox_number("415", index))
    assert buy(client, owner, sandbox_number("415", 2)).status_code == 403


def test_a_released_number_still_counts_and_raising_the_cap_lets_buying_go_on(app, client, factory):
    owner = factory.member("growth")
    guard(app, owner, spend_cap="4.00")
    first = bought_id(client, owner, sandbox_number("415", 0))
    bought_id(client, owner, sandbox_number("415", 1))
    query = {"teamId": owner.team_id}
    client.delete(f"/api/phone-numbers/{first}", query_string=query, headers=owner.headers)
    assert_error(buy(client, owner, sandbox_number("415", 2)), 403, "spend_cap_reached")
    guard(app, owner, spend_cap="6.00")
    assert buy(client, owner, sandbox_number("415", 2)).status_code == 200


def test_admins_and_owners_are_held_to_the_cap_too(app, client, factory):
    owner = factory.member("growth")
    admin = factory.member(team_id=owner.team_id, role="admin")
    guard(app, owner, spend_cap="1.00")
    assert_error(buy(client, admin, sandbox_number("415", 0)), 403, "spend_cap_reached")
    assert_error(buy(client, owner, sandbox_number("415", 0)), 403, "spend_cap_reached")


def test_a_trial_is_free_so_a_cap_never_stops_it(app, client, factory):
    owner = factory.member("free")
    guard(app, owner, spend_cap="0.01")
    answer = buy(client, owner, sandbox_number("415", 0))
    assert answer.status_code == 200 and answer.get_json()["phoneNumber"]["is_trial"] is True


def test_a_number_with_no_quoted_price_is_refused_under_a_cap(app, client, factory, monkeypatch):
    owner = factory.member("growth")
    monkeypatch.setattr(purchasing, "quote_for", lambda _number: None)
    assert buy(client, owner, sandbox_number("415", 0)).status_code == 200  # no cap: bought
    guard(app, owner, spend_cap="100.00")
    body = assert_error(buy(client, owner, sandbox_number("415", 1)), 403, "spend_cap_reached")
    assert body["spending"] == {"cap": "100.00", "spent": "0.00", "thisPurchase": None}
    assert "no quoted price" in body["error"]["message"]


def test_an_order_must_fit_the_cap_whole_or_nothing_is_bought(app, client, factory):
    owner = factory.member("growth")
    guard(app, owner, spend_cap="5.00")
    numbers = [sandbox_number("415", index) for index in range(3)]
    response = client.post(
        "/api/phone-numbers/orders",
        json={"teamId": owner.team_id, "phoneNumbers": numbers},
        headers=owner.headers,
    )
    body = assert_error(response, 403, "spend_cap_reached")
    assert body["spending"] == {"cap": "5.00", "spent": "0.00", "thisPurchase": "6.00"}
    assert body["error"]["message"].startswith("These 3 numbers ($6.00")
    assert held(app, owner.team_id) == []
    fits = client.post(
        "/api/phone-numbers/orders",
        json={"teamId": owner.team_id, "phoneNumbers": numbers[:2]},
        headers=owner.headers,
    )
    assert fits.status_code == 200 and fits.get_json()["order"]["status"] == "complete"


def test_an_order_number_the_cap_stops_under_the_lock_fails_alone(
    app, client, factory, monkeypatch
):
    """A single Buy spent the rest between the order's check and its purchase."""
    from app.numbers import orders

    owner = factory.member("growth")
    guard(app, owner, spend_cap="4.00")
    monkeypatch.setattr(orders, "_check_cap", lambda *_args: None)
    response = client.post(
        "/api/phone-numbers/orders",
        json={
            "teamId": owner.team_id,
            "phoneNumbers": [sandbox_number("415", i) for i in range(3)],
        },
        headers=owner.headers,
    )
    results = response.get_json()["order"]["numbers"]
    assert [r["status"] for r in results] == ["bought", "bought", "failed"]
    assert "monthly cap of $4.00" in results[2]["message"]


def test_the_cart_buy_checks_the_cap_and_keeps_the_holds(app, client, factory):
    from tests.factories import hold

    owner = factory.member("growth")
    guard(app, owner, spend_cap="3.00")
    for index in range(2):
        hold(app, owner, sandbox_number("415", index))
    response = client.post(
        "/api/phone-numbers/orders",
        json={
            "teamId": owner.team_id,
            "phoneNumbers": [sandbox_number("415", i) for i in range(2)],
        },
        headers=owner.headers,
    )
    assert_error(response, 403, "spend_cap_reached")
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(CartItem)) == 2


def test_a_refusal_is_replayed_for_its_idempotency_key(app, client, factory):
    owner = factory.member("growth")
    guard(app, owner, spend_cap="1.00")
    headers = {**owner.headers, "Idempotency-Key": "cap-1"}
    body = {"phoneNumber": sandbox_number("415", 0), "teamId": owner.team_id}
    first = client.post(PURCHASE, json=body, headers=headers)
    guard(app, owner, spend_cap=None)
    again = client.post(PURCHASE, json=body, headers=headers)
    assert (again.status_code, again.get_json()) == (403, first.get_json())
    assert again.headers["Idempotent-Replayed"] == "true"
