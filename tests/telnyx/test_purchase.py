"""Buying on Telnyx: what a refusal, a failure, a late answer and a slow order each leave behind.

After every case the provider account and the platform agree (tests/invariants.py).
"""

import pytest

from app.extensions import db
from app.models import AuditEvent, PhoneNumber
from tests.fakes.telnyx import error_body
from tests.helpers import assert_error, buy, listed, search
from tests.invariants import assert_accounts_agree
from tests.support import wait_until
from tests.telnyx import NUMBER, OTHER

ORDERS = "/v2/number_orders"


def stored(app):
    with app.app_context():
        return list(db.session.scalars(db.select(PhoneNumber)))


def test_search_answers_telnyx_numbers_less_those_held_here(client, factory, fake):
    member = factory.member("growth")
    body = search(client, member, areaCode="415").get_json()
    assert body["provider"] == "telnyx"
    assert body["numbers"][0] == {
        "phoneNumber": NUMBER,
        "monthlyPrice": "1.50",
        "setupPrice": "0.50",
        "features": ["voice", "sms"],
    }
    (sent,) = fake.requests_to("GET", "/v2/available_phone_numbers")
    assert sent.query["filter[national_destination_code]"] == "415"
    assert sent.query["filter[country_code]"] == "US"


def test_a_purchase_keeps_the_searched_price_and_the_owned_id(app, client, factory, fake):
    member = factory.member("growth")
    search(client, member, areaCode="415")  # the order answer has no price: the search's is kept
    body = buy(client, member, NUMBER).get_json()
    (owned_id,) = fake.owned
    assert body["phoneNumber"]["provider_number_id"] == owned_id
    assert body["phoneNumber"]["status"] == "active"
    (order,) = fake.requests_to("POST", ORDERS)
    assert order.json["phone_numbers"] == [{"phone_number": NUMBER}]
    assert order.json["connection_id"] == "conn-default"
    (number,) = stored(app)
    assert order.json["customer_reference"] == number.customer_reference
    assert (number.provider, number.status) == ("telnyx", "active")
    assert (str(number.monthly_price), str(number.setup_price)) == ("1.50", "0.50")
    assert number.features == ["voice", "sms"]
    assert_accounts_agree(app, fake)


def test_a_purchase_without_a_search_stores_no_price_rather_than_zero(app, client, factory):
    assert buy(client, factory.member("growth"), NUMBER).status_code == 200
    (number,) = stored(app)
    assert number.monthly_price is None and number.setup_price is None


def test_connection_id_in_the_body_wins(client, factory, fake):
    buy(client, factory.member("growth"), NUMBER, connectionId="conn-body")
    assert fake.requests_to("POST", ORDERS)[0].json["connection_id"] == "conn-body"


@pytest.mark.parametrize(
    ("fault", "status", "code", "says"),
    [
        ({"status": 401}, 502, "provider_error", "rejected our credentials"),
        (
            {
                "status": 403,
                "body": error_body(403, detail="Ordering is disabled for this account."),
            },
            502,
            "provider_error",
            "Ordering is disabled for this account",
        ),
        ({"status": 404}, 409, "number_unavailable", "cannot sell"),
        ({"status": 409}, 409, "number_unavailable", "cannot sell"),
        (
            {"status": 422, "body": error_body(422, detail="Taken.", pointer="/phone_numbers/0")},
            409,
            "number_unavailable",
            "Taken",
        ),
    ],
)
def test_a_definite_refusal_holds_nothing_and_spends_no_trial(
    app, client, factory, fake, fault, status, code, says
):
    member = factory.member("free")
    fake.fail("POST", ORDERS, **fault)
    body = assert_error(buy(client, member, NUMBER), status, code)
    assert says in body["error"]["message"]
    assert stored(app) == []
    assert len(fake.requests_to("POST", ORDERS)) == 1
    assert listed(client, member).get_json()["count"] == 0
    assert buy(client, member, OTHER).status_code == 200  # the trial is still there
    assert_accounts_agree(app, fake)


def test_a_wrong_connection_is_a_configuration_fault_not_a_taken_number(app, client, factory):
    body = assert_error(
        buy(client, factory.member("growth"), NUMBER, connectionId="conn-typo"),
        502,
        "provider_error",
    )
    assert "connection_id" in body["error"]["message"]
    assert "does not exist" in body["error"]["message"]
    assert stored(app) == []


def test_an_order_that_failed_at_telnyx_is_409_and_its_failed_record_is_not_held(
    app, client, factory, fake
):
    fake.order_outcome(NUMBER, ["failure"])
    assert_error(buy(client, factory.member("growth"), NUMBER), 409, "number_unavailable")
    assert stored(app) == []
    assert [r["status"] for r in fake.owned.values()] == ["purchase-failed"]
    assert_accounts_agree(app, fake)


@pytest.mark.parametrize(
    ("fault", "status", "code"),
    [
        ({"status": 500}, 502, "provider_error"),
        ({"status": 200, "body": "<html>oops</html>"}, 502, "provider_error"),
        ({"delay": 1.0, "drop": True}, 504, "provider_timeout"),
    ],
)
def test_an_answer_that_may_hide_an_order_keeps_the_number_until_telnyx_says(
    app, client, factory, fake, sync, fault, status, code
):
    member = factory.member("free")
    fake.fail("POST", ORDERS, **fault)  # nothing placed, but we cannot know that
    body = assert_error(buy(client, member, NUMBER), status, code)
    assert "held for your team as pending" in body["error"]["message"]
    (row,) = listed(client, member).get_json()["numbers"]
    assert (row["status"], row["state"]) == ("pending", "reserving")
    again = assert_error(buy(client, member, NUMBER), 409, "number_unavailable")
    assert "already being ordered" in again["error"]["message"]
    assert sync() == "1 of 1 pending numbers settled"  # Telnyx has no such order
    assert stored(app) == []
    assert buy(client, member, OTHER).status_code == 200  # the trial was never spent
    assert_accounts_agree(app, fake)


def test_an_order_completed_after_our_timeout_is_never_lost(app, client, factory, fake, sync):
    app.extensions["phone_provider"].order_wait = 0.2
    member = factory.member("growth")
    # Placed only after we gave up looking, and still pending then.
    fake.fail("POST", ORDERS, delay=1.0, process=True, effect_later=True)
    fake.hold_orders = True
    assert_error(buy(client, member, NUMBER), 504, "provider_timeout")
    (number,) = stored(app)
    assert (number.status, number.provider_order_id) == ("reserving", None)
    wait_until(lambda: fake.orders)  # Telnyx completes the POST after we answered
    assert sync() == "1 of 1 pending numbers settled"  # found by its customer_reference
    (order_id,) = fake.orders
    assert [(n.status, n.provider_order_id) for n in stored(app)] == [("pending", order_id)]
    assert_accounts_agree(app, fake)
    fake.complete_order(order_id)
    assert sync() == "1 of 1 pending numbers settled"
    (number,) = stored(app)
    assert (number.status, number.provider_number_id) == ("active", next(iter(fake.owned)))
    assert listed(client, member).get_json()["numbers"][0]["status"] == "active"
    assert_accounts_agree(app, fake)


def test_a_slow_order_is_pending_then_settled_by_the_list(app, client, factory, fake):
    member = factory.member("growth")
    fake.hold_orders = True
    body = buy(client, member, NUMBER).get_json()
    assert body["phoneNumber"]["status"] == "pending"
    assert body["phoneNumber"]["provider_number_id"] is None
    assert body["eligibility"]["currentCount"] == 1
    assert listed(client, member).get_json()["numbers"][0]["status"] == "pending"
    assert_accounts_agree(app, fake)
    (order_id,) = fake.orders
    fake.complete_order(order_id)
    (row,) = listed(client, member).get_json()["numbers"]
    assert row["status"] == "active"
    (number,) = stored(app)
    assert number.provider_number_id == next(iter(fake.owned))
    assert_accounts_agree(app, fake)


def test_a_free_teams_pending_trial_that_fails_leaves_the_trial_unspent(app, client, factory, fake):
    member = factory.member("free")
    fake.hold_orders = True
    assert buy(client, member, NUMBER).get_json()["phoneNumber"]["status"] == "pending"
    fake.complete_order(next(iter(fake.orders)), "failure")
    assert listed(client, member).get_json()["count"] == 0  # settled on the way
    assert stored(app) == []
    with app.app_context():
        (failed,) = db.session.scalars(
            db.select(AuditEvent).where(AuditEvent.action == "order_failed")
        )
        assert failed.subject == NUMBER
    fake.hold_orders = False
    assert buy(client, member, OTHER).get_json()["phoneNumber"]["is_trial"] is True
    assert_accounts_agree(app, fake)


def test_an_order_waiting_for_documents_says_why_it_is_pending(app, client, factory, fake):
    fake.add_available("+4930901820", country_code="DE")
    member = factory.member("growth")
    found = search(client, member, countryCode="DE").get_json()
    assert [d["name"] for d in found["documentsRequired"]] == [
        "Address in the number's area",
        "Proof of address",
    ]
    body = buy(client, member, "+4930901820").get_json()
    assert body["phoneNumber"]["status"] == "pending"
    assert body["phoneNumber"]["pending_reason"] == "documents"
    assert "regulatory documents" in body["phoneNumber"]["message"]
    (row,) = listed(client, member).get_json()["numbers"]
    assert (row["status"], row["pending_reason"]) == ("pending", "documents")
    assert_accounts_agree(app, fake)


def test_non_usd_prices_are_converted_at_the_configured_rate_or_left_out(
    app, client, factory, fake
):
    fake.add_available("+4930901820", monthly="2.00", upfront="1.00", currency="EUR")
    fake.add_available("+4930901821", monthly="2.00", upfront="1.00", currency="CHF")
    fake.add_available("+4930901822", monthly=None, upfront="1.00")  # no price: unknown
    member = factory.member("growth")
    app.config["PRICE_RATES"] = {"EUR": __import__("decimal").Decimal("1.10")}
    body = search(client, member, countryCode="DE").get_json()
    assert body["numbers"] == [
        {
            "phoneNumber": "+4930901820",
            "monthlyPrice": "2.20",
            "setupPrice": "1.10",
            "features": ["voice", "sms"],
            "quotedCurrency": "EUR",
        }
    ]
    assert body["leftOut"]["count"] == 2
