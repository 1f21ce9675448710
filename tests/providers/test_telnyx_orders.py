"""TelnyxProvider ordering, against the fake Telnyx over real HTTP.

The order POST is sent once: every doubt about whether it went through is settled by
looking the order up by its customer_reference, and what cannot be settled is reported as
an unknown outcome (the caller keeps the number), never as "nothing was bought".
"""

from __future__ import annotations

import pytest

from app.providers.base import ProviderError, ProviderNumberUnavailable, ProviderTimeout
from tests.fakes.telnyx import error_body

NUMBER = "+14155550100"
ORDERS = "/v2/number_orders"


def order(telnyx, number: str = NUMBER, ref: str = "purchase-1", connection: str | None = "conn-1"):
    return telnyx.order(number, connection_id=connection, customer_reference=ref)


def test_an_order_answers_pending_then_completes_within_the_wait(fake, telnyx):
    fake.add_available(NUMBER)

    result = order(telnyx)

    (owned,) = fake.owned.values()
    (placed,) = fake.orders.values()
    assert (result.status, result.provider_number_id, result.order_id) == (
        "active",
        owned["id"],
        placed["id"],
    )
    assert result.provider_number_id not in (placed["id"], placed["phone_numbers"][0]["id"])
    (post,) = fake.requests_to("POST", ORDERS)
    assert post.json == {
        "phone_numbers": [{"phone_number": NUMBER}],
        "customer_reference": "purchase-1",
        "connection_id": "conn-1",
    }
    # The POST answered "pending"; the client asked again before calling it active.
    assert fake.requests_to("GET", f"{ORDERS}/{placed['id']}")


def test_the_owned_number_is_looked_up_by_digits_only(fake, telnyx):
    fake.add_available(NUMBER)
    fake.add_owned("+14155550101")  # a partial match the client must not take

    result = order(telnyx)

    mine = next(key for key, r in fake.owned.items() if r["phone_number"] == NUMBER)
    assert result.provider_number_id == mine
    lookups = [
        r.query["filter[phone_number]"] for r in fake.requests_to("GET", "/v2/phone_numbers")
    ]
    assert set(lookups) == {NUMBER[1:]}


def test_order_omits_connection_id_when_none(fake, telnyx):
    fake.add_available(NUMBER)

    order(telnyx, connection=None)

    assert "connection_id" not in fake.requests_to("POST", ORDERS)[0].json


def test_an_unknown_connection_is_a_configuration_fault_not_an_unavailable_number(fake, telnyx):
    fake.add_available(NUMBER)

    with pytest.raises(ProviderError) as raised:
        order(telnyx, connection="conn-typo")

    assert type(raised.value) is ProviderError  # our 502, with Telnyx's detail
    assert "connection_id" in raised.value.message
    assert "conn-typo does not exist" in raised.value.message
    assert not raised.value.outcome_unknown


def test_a_number_taken_meanwhile_is_unavailable(fake, telnyx):
    with pytest.raises(ProviderNumberUnavailable, match="not available for ordering"):
        order(telnyx)


@pytest.mark.parametrize("status", [404, 409])
def test_404_and_409_on_the_order_are_unavailable(fake, telnyx, status):
    fake.fail("POST", ORDERS, status=status)

    with pytest.raises(ProviderNumberUnavailable):
        order(telnyx)


def test_a_400_saying_unavailable_is_unavailable_and_another_400_is_an_error(fake, telnyx):
    fake.fail("POST", ORDERS, status=400, body=error_body(400, detail="No longer available."))
    with pytest.raises(ProviderNumberUnavailable):
        order(telnyx)

    fake.fail("POST", ORDERS, status=400, body=error_body(400, detail="Malformed body."))
    with pytest.raises(ProviderError, match="Malformed body") as raised:
        order(telnyx)
    assert type(raised.value) is ProviderError


def test_a_pending_order_past_the_wait_is_pending_until_checked_again(fake, make_provider):
    telnyx = make_provider(order_wait=0.1)
    fake.add_available(NUMBER)
    fake.hold_orders = True

    result = order(telnyx)

    assert (result.status, result.provider_number_id) == ("pending", None)
    assert result.order_id in fake.orders
    assert telnyx.check_order(result.order_id, NUMBER).status == "pending"
    fake.complete_order(result.order_id)
    settled = telnyx.check_order(result.order_id, NUMBER)
    assert (settled.status, settled.provider_number_id) == ("active", next(iter(fake.owned)))


@pytest.mark.parametrize("outcome", [["failure"], ["pending", "failure"]])
def test_a_failed_order_is_failed_and_its_record_is_not_owned(fake, telnyx, outcome):
    fake.add_available(NUMBER)
    fake.order_outcome(NUMBER, outcome)

    result = order(telnyx)

    assert result.status == "failed"
    (record,) = fake.owned.values()
    assert record["status"] == "purchase-failed"
    assert telnyx.find_owned(NUMBER).status == "gone"


def test_an_order_waiting_for_documents_says_so_and_is_not_waited_on(fake, telnyx):
    fake.add_available("+4930901820", country_code="DE")

    result = order(telnyx, "+4930901820")

    assert (result.status, result.documents_required) == ("pending", True)
    assert fake.requests_to("GET", f"{ORDERS}/{result.order_id}") == []
    (item,) = fake.order_items().values()  # its deadline, from the ordered number's record
    assert result.deadline is not None
    assert result.deadline.isoformat().replace("+00:00", "Z") == item["deadline"]


def test_a_500_that_placed_nothing_is_an_unknown_outcome_sent_once(fake, make_provider):
    telnyx = make_provider(order_wait=0.1)
    fake.add_available(NUMBER)
    fake.fail("POST", ORDERS, status=500, body=error_body(500, detail="Database hiccup."))

    with pytest.raises(ProviderError, match="may still complete") as raised:
        order(telnyx)

    assert type(raised.value) is ProviderError and raised.value.outcome_unknown
    assert len(fake.requests_to("POST", ORDERS)) == 1
    assert fake.requests_to("GET", ORDERS)  # it looked before giving up
    assert fake.owned == {}


def test_a_502_after_placing_the_order_finds_it(fake, telnyx):
    fake.add_available(NUMBER)
    fake.fail("POST", ORDERS, status=502, process=True)

    result = order(telnyx)

    assert result.status == "active"
    assert len(fake.requests_to("POST", ORDERS)) == 1


def test_a_late_answer_finds_the_order_by_customer_reference(fake, make_provider):
    telnyx = make_provider(read_timeout=0.3, order_wait=2.0)
    fake.add_available(NUMBER)
    fake.fail("POST", ORDERS, delay=0.6)  # placed after the client gave up reading

    result = order(telnyx, ref="purchase-42")

    assert result.status == "active"
    assert result.provider_number_id == next(iter(fake.owned))
    assert len(fake.requests_to("POST", ORDERS)) == 1
    lookups = fake.requests_to("GET", ORDERS)
    assert lookups and all(
        r.query == {"filter[customer_reference]": "purchase-42"} for r in lookups
    )
    # List items name the numbers but not their status: the order itself was fetched.
    (placed,) = fake.orders
    assert fake.requests_to("GET", f"{ORDERS}/{placed}")


def test_a_late_answer_that_never_shows_is_an_unknown_timeout(fake, make_provider):
    telnyx = make_provider(read_timeout=0.3, order_wait=0.2)
    fake.add_available(NUMBER)
    fake.fail("POST", ORDERS, delay=0.6, drop=True)  # hangs, then is lost

    with pytest.raises(ProviderTimeout) as raised:
        order(telnyx)
    assert raised.value.outcome_unknown
    assert len(fake.requests_to("POST", ORDERS)) == 1


def test_a_dropped_connection_after_placing_finds_the_order(fake, telnyx):
    fake.add_available(NUMBER)
    fake.fail("POST", ORDERS, drop=True, process=True)

    assert order(telnyx).status == "active"
    assert len(fake.requests_to("POST", ORDERS)) == 1


def test_the_lookup_ignores_orders_of_other_references(fake, make_provider):
    telnyx = make_provider(order_wait=0.1)
    fake.add_available(NUMBER)
    fake.add_available("+14155550101")
    order(telnyx, "+14155550101", ref="someone-else")
    # Telnyx ignoring the filter and listing every order must not be mistaken for ours.
    fake.fail("GET", ORDERS, status=200, body={"data": list(fake.orders.values())}, times=20)
    fake.fail("POST", ORDERS, drop=True)

    with pytest.raises(ProviderTimeout) as raised:
        order(telnyx, ref="mine")
    assert raised.value.outcome_unknown


def test_find_order_reads_the_order_behind_a_reference(fake, make_provider):
    telnyx = make_provider(order_wait=0.0)
    fake.add_available(NUMBER)
    fake.hold_orders = True
    placed = order(telnyx, ref="lost-answer")

    assert telnyx.find_order("lost-answer", NUMBER).order_id == placed.order_id
    assert telnyx.find_order("never-sent", NUMBER) is None
    fake.complete_order(placed.order_id, "failure")
    assert telnyx.find_order("lost-answer", NUMBER).status == "failed"
