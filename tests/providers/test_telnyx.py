"""TelnyxProvider against FakeTelnyx over real HTTP."""

from __future__ import annotations

import socket
import time
from collections.abc import Callable, Iterator

import pytest
import requests

from app.providers.base import (
    AvailableNumber,
    ProviderError,
    ProviderNumberUnavailable,
    ProviderTimeout,
    SearchFilters,
)
from app.providers.telnyx import TelnyxProvider
from tests.fakes.telnyx import FakeTelnyx, error_body

NUMBER = "+14155550100"
ORDERS = "/v2/number_orders"
AVAILABLE = "/v2/available_phone_numbers"

MakeProvider = Callable[..., TelnyxProvider]


@pytest.fixture
def fake() -> Iterator[FakeTelnyx]:
    with FakeTelnyx(api_key="test-key") as server:
        yield server


@pytest.fixture
def make_provider(fake: FakeTelnyx) -> Iterator[MakeProvider]:
    """Builds providers with test-sized timeouts; closes their sessions afterwards."""
    made: list[TelnyxProvider] = []

    def make(**overrides: object) -> TelnyxProvider:
        options: dict = {
            "api_key": fake.api_key,
            "base_url": fake.base_url,
            "connect_timeout": 1.0,
            "read_timeout": 2.0,
            "order_wait": 1.0,
            "poll_interval": 0.02,
        }
        options.update(overrides)
        provider = TelnyxProvider(**options)
        made.append(provider)
        return provider

    yield make
    for provider in made:
        provider.close()


@pytest.fixture
def telnyx(make_provider: MakeProvider) -> TelnyxProvider:
    return make_provider()


def closed_port_url() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/v2"


def order(telnyx: TelnyxProvider, number: str = NUMBER, ref: str = "purchase-1"):
    return telnyx.order(number, connection_id="conn-1", customer_reference=ref)


# -- search ------------------------------------------------------------------------------


def test_search_sends_bracketed_filters_and_maps_fields(fake, telnyx):
    item = fake.add_available(NUMBER, monthly="1", features=("voice", "sms", "mms"))
    del item["cost_information"]["upfront_cost"]
    fake.add_available("+12125550100")

    found = telnyx.search(SearchFilters("US", area_code="415", limit=5))

    assert found == [AvailableNumber(NUMBER, "1.00", "0.00", ("voice", "sms", "mms"))]
    (request,) = fake.requests_to("GET", AVAILABLE)
    assert request.query == {
        "filter[country_code]": "US",
        "filter[national_destination_code]": "415",
        "filter[phone_number_type]": "local",
        "filter[limit]": "5",
    }
    assert request.headers["Authorization"] == "Bearer test-key"
    assert request.headers["User-Agent"].startswith("phonenumbers-desk/")


def test_search_without_area_code_leaves_that_filter_out(fake, telnyx):
    fake.add_available(NUMBER)
    fake.add_available("+12125550100")

    found = telnyx.search(SearchFilters("US"))

    assert {n.phone_number for n in found} == {NUMBER, "+12125550100"}
    assert "filter[national_destination_code]" not in fake.requests[0].query


def test_search_drops_best_effort_results(fake, telnyx):
    fake.add_available(NUMBER)
    fake.add_available("+14155550101", best_effort=True)

    found = telnyx.search(SearchFilters("US", area_code="415"))

    assert [n.phone_number for n in found] == [NUMBER]


def test_search_maps_toll_free_to_telnyx_type(fake, telnyx):
    fake.add_available(NUMBER)
    fake.add_available("+18005550100", monthly="2.5")

    found = telnyx.search(SearchFilters("US", number_type="toll-free"))

    assert [(n.phone_number, n.monthly_price) for n in found] == [("+18005550100", "2.50")]
    assert fake.requests[0].query["filter[phone_number_type]"] == "toll_free"


def test_search_never_returns_more_than_the_limit(fake, telnyx):
    # The fake's own limit is bypassed: Telnyx answering too many must not leak through.
    items = [{"phone_number": f"+1415555010{i}"} for i in range(5)]
    fake.fail("GET", AVAILABLE, status=200, body={"data": items})

    found = telnyx.search(SearchFilters("US", limit=3))

    assert [n.phone_number for n in found] == ["+14155550100", "+14155550101", "+14155550102"]


def test_search_treats_every_field_as_optional(fake, telnyx):
    items = [
        {"cost_information": {"monthly_cost": "1.00"}},  # no number: skipped
        {"phone_number": NUMBER, "features": None, "cost_information": None},
        "garbage",
    ]
    fake.fail("GET", AVAILABLE, status=200, body={"data": items})

    found = telnyx.search(SearchFilters("US"))

    assert found == [AvailableNumber(NUMBER, "0.00", "0.00", ())]


# -- order -------------------------------------------------------------------------------


def test_order_success_resolves_the_owned_number_id(fake, telnyx):
    fake.add_available(NUMBER)

    result = order(telnyx)

    (owned,) = fake.owned.values()
    (placed,) = fake.orders.values()
    assert result.status == "active"
    assert result.provider_number_id == owned["id"]
    assert result.provider_number_id not in (placed["id"], placed["phone_numbers"][0]["id"])
    assert result.order_id == placed["id"]
    (post,) = fake.requests_to("POST", ORDERS)
    assert post.json == {
        "phone_numbers": [{"phone_number": NUMBER}],
        "customer_reference": "purchase-1",
        "connection_id": "conn-1",
    }


def test_order_omits_connection_id_when_none(fake, telnyx):
    fake.add_available(NUMBER)

    telnyx.order(NUMBER, connection_id=None, customer_reference="purchase-1")

    assert "connection_id" not in fake.requests_to("POST", ORDERS)[0].json


def test_order_falls_back_to_digits_when_plus_filter_finds_nothing(fake, telnyx):
    fake.add_available(NUMBER)
    fake.phone_filter_accepts_plus = False

    result = order(telnyx)

    assert result.provider_number_id == next(iter(fake.owned))
    lookups = [
        r.query["filter[phone_number]"] for r in fake.requests_to("GET", "/v2/phone_numbers")
    ]
    assert lookups == [NUMBER, NUMBER[1:]]


def test_order_pending_then_success_within_order_wait_is_active(fake, telnyx):
    fake.add_available(NUMBER)
    fake.order_outcome(NUMBER, ["pending", "pending", "success"])

    result = order(telnyx)

    assert result.status == "active"
    assert result.provider_number_id == next(iter(fake.owned))
    order_id = result.order_id
    assert len(fake.requests_to("GET", f"{ORDERS}/{order_id}")) == 2


def test_order_pending_beyond_order_wait_then_check_order_settles(fake, make_provider):
    telnyx = make_provider(order_wait=0.1)
    fake.add_available(NUMBER)
    fake.order_outcome(NUMBER, ["pending"])

    started = time.monotonic()
    result = order(telnyx)

    assert time.monotonic() - started < 0.5
    assert result.status == "pending"
    assert result.order_id in fake.orders
    assert result.provider_number_id is None
    assert telnyx.check_order(result.order_id, NUMBER).status == "pending"

    fake.set_order_status(result.order_id, "success")
    settled = telnyx.check_order(result.order_id, NUMBER)

    assert settled.status == "active"
    assert settled.provider_number_id == next(iter(fake.owned))


def test_check_order_failure_raises_number_unavailable(fake, make_provider):
    telnyx = make_provider(order_wait=0.0)
    fake.add_available(NUMBER)
    fake.order_outcome(NUMBER, ["pending"])
    pending = order(telnyx)
    fake.set_order_status(pending.order_id, "Cancelled")  # free text: compared lowercase

    with pytest.raises(ProviderNumberUnavailable):
        telnyx.check_order(pending.order_id, NUMBER)


@pytest.mark.parametrize("outcome", [["failure"], ["pending", "failure"]])
def test_order_failure_raises_number_unavailable(fake, telnyx, outcome):
    fake.add_available(NUMBER)
    fake.order_outcome(NUMBER, outcome)

    with pytest.raises(ProviderNumberUnavailable, match=r"\+14155550100"):
        order(telnyx)
    assert fake.owned == {}


def test_order_of_number_not_available_raises_number_unavailable(fake, telnyx):
    with pytest.raises(ProviderNumberUnavailable, match="not available for ordering"):
        order(telnyx)


def test_order_400_saying_unavailable_raises_number_unavailable(fake, telnyx):
    body = error_body(400, detail="The requested number is no longer available.")
    fake.fail("POST", ORDERS, status=400, body=body)

    with pytest.raises(ProviderNumberUnavailable):
        order(telnyx)


def test_order_other_400_is_a_provider_error(fake, telnyx):
    fake.fail("POST", ORDERS, status=400, body=error_body(400, detail="connection_id is invalid."))

    with pytest.raises(ProviderError, match="connection_id is invalid") as raised:
        order(telnyx)
    assert type(raised.value) is ProviderError


def test_order_500_is_a_provider_error_and_the_post_is_sent_once(fake, telnyx):
    fake.add_available(NUMBER)
    fake.fail("POST", ORDERS, status=500, body=error_body(500, detail="Database hiccup."))

    with pytest.raises(ProviderError, match="Database hiccup") as raised:
        order(telnyx)
    assert type(raised.value) is ProviderError
    assert len(fake.requests_to("POST", ORDERS)) == 1
    assert fake.owned == {}


def test_order_502_after_placing_the_order_finds_it(fake, telnyx):
    fake.add_available(NUMBER)
    fake.fail("POST", ORDERS, status=502, process=True)

    result = order(telnyx)

    assert result.status == "active"
    assert len(fake.requests_to("POST", ORDERS)) == 1


def test_order_read_timeout_finds_the_order_by_customer_reference(fake, make_provider):
    telnyx = make_provider(read_timeout=0.3, order_wait=2.0)
    fake.add_available(NUMBER)
    fake.fail("POST", ORDERS, delay=0.6)  # placed after the client gave up

    result = order(telnyx, ref="purchase-42")

    assert result.status == "active"
    assert result.provider_number_id == next(iter(fake.owned))
    assert len(fake.requests_to("POST", ORDERS)) == 1
    lookups = fake.requests_to("GET", ORDERS)
    assert lookups and all(
        r.query == {"filter[customer_reference]": "purchase-42"} for r in lookups
    )


def test_order_read_timeout_with_no_order_found_raises_timeout(fake, make_provider):
    telnyx = make_provider(read_timeout=0.3, order_wait=0.2)
    fake.add_available(NUMBER)
    fake.fail("POST", ORDERS, delay=0.6, drop=True)  # hangs, then is lost

    with pytest.raises(ProviderTimeout):
        order(telnyx)
    assert len(fake.requests_to("POST", ORDERS)) == 1
    assert fake.requests_to("GET", ORDERS)


def test_order_connection_dropped_after_placing_finds_the_order(fake, telnyx):
    fake.add_available(NUMBER)
    fake.fail("POST", ORDERS, drop=True, process=True)

    result = order(telnyx)

    assert result.status == "active"
    assert len(fake.requests_to("POST", ORDERS)) == 1


def test_order_lookup_ignores_orders_of_other_references(fake, make_provider):
    telnyx = make_provider(order_wait=0.1)
    fake.add_available(NUMBER)
    fake.add_available("+14155550101")
    order(telnyx, "+14155550101", ref="someone-else")
    fake.fail("GET", ORDERS, status=200, body={"data": list(fake.orders.values())})
    fake.fail("POST", ORDERS, drop=True)

    with pytest.raises(ProviderTimeout):
        order(telnyx, ref="mine")


# -- transport and errors ----------------------------------------------------------------


def test_get_503_then_200_is_retried(fake, telnyx):
    fake.add_available(NUMBER)
    fake.fail("GET", AVAILABLE, status=503)

    found = telnyx.search(SearchFilters("US"))

    assert [n.phone_number for n in found] == [NUMBER]
    assert len(fake.requests_to("GET", AVAILABLE)) == 2


def test_search_429_waits_for_the_rate_limit_reset_then_retries(fake, telnyx):
    fake.add_available(NUMBER)
    fake.fail("GET", AVAILABLE, status=429, headers={"x-ratelimit-reset": "1"})

    started = time.monotonic()
    found = telnyx.search(SearchFilters("US"))

    assert 0.9 <= time.monotonic() - started < 2.0
    assert [n.phone_number for n in found] == [NUMBER]


def test_search_persistent_429_says_rate_limited(fake, telnyx):
    fake.fail("GET", AVAILABLE, status=429, times=3)

    with pytest.raises(ProviderError, match="rate limited"):
        telnyx.search(SearchFilters("US"))


def test_search_persistent_500_is_a_provider_error(fake, telnyx):
    fake.fail("GET", AVAILABLE, status=500, times=3)

    with pytest.raises(ProviderError, match="HTTP 500") as raised:
        telnyx.search(SearchFilters("US"))
    assert type(raised.value) is ProviderError
    assert len(fake.requests_to("GET", AVAILABLE)) == 3


def test_search_read_timeout_is_a_provider_timeout(fake, make_provider):
    telnyx = make_provider(read_timeout=0.3)
    fake.fail("GET", AVAILABLE, delay=1.0, times=3)

    with pytest.raises(ProviderTimeout):
        telnyx.search(SearchFilters("US"))
    assert len(fake.requests_to("GET", AVAILABLE)) == 3


def test_connection_refused_is_a_provider_error(make_provider):
    telnyx = make_provider(base_url=closed_port_url())

    with pytest.raises(ProviderError) as searched:
        telnyx.search(SearchFilters("US"))
    with pytest.raises(ProviderError) as ordered:
        order(telnyx)
    assert type(searched.value) is ProviderError
    assert type(ordered.value) is ProviderError


def test_malformed_json_is_a_provider_error(fake, telnyx):
    fake.fail("GET", AVAILABLE, body="not json", times=3)

    with pytest.raises(ProviderError, match="nonsense"):
        telnyx.search(SearchFilters("US"))


def test_wrong_api_key_is_rejected_without_leaking_the_key(fake, make_provider):
    telnyx = make_provider(api_key="KEY-supersecret-123")

    with pytest.raises(ProviderError, match="rejected the API key") as raised:
        telnyx.search(SearchFilters("US"))
    assert "supersecret" not in str(raised.value)
    assert len(fake.requests) == 1  # not retried


# -- owned numbers -----------------------------------------------------------------------


def test_find_owned_returns_the_id_and_ignores_deleted_records(fake, telnyx):
    number_id = fake.add_owned(NUMBER)
    fake.add_owned("+14155550101", status="deleted")

    assert telnyx.find_owned(NUMBER) == number_id
    assert telnyx.find_owned("+14155550101") is None
    assert telnyx.find_owned("+14155550199") is None


def test_release_deletes_the_number(fake, telnyx):
    number_id = fake.add_owned(NUMBER)

    telnyx.release(number_id)

    assert fake.owned[number_id]["status"] == "deleted"
    assert telnyx.find_owned(NUMBER) is None


def test_release_of_unknown_id_counts_as_released(fake, telnyx):
    telnyx.release("999")

    assert [r.method for r in fake.requests] == ["DELETE"]


def test_release_error_is_a_provider_error(fake, telnyx):
    number_id = fake.add_owned(NUMBER)
    body = error_body(403, detail="Deletion lock is enabled.")
    fake.fail("DELETE", "/v2/phone_numbers/*", status=409, body=body)

    with pytest.raises(ProviderError, match="Deletion lock"):
        telnyx.release(number_id)


def test_release_timeout_after_deleting_counts_as_released(fake, make_provider):
    telnyx = make_provider(read_timeout=0.3)
    number_id = fake.add_owned(NUMBER)
    fake.fail("DELETE", "/v2/phone_numbers/*", drop=True, process=True)

    telnyx.release(number_id)

    assert len(fake.requests_to("DELETE", f"/v2/phone_numbers/{number_id}")) == 1


def test_release_timeout_without_deleting_raises_timeout(fake, make_provider):
    telnyx = make_provider(read_timeout=0.3)
    number_id = fake.add_owned(NUMBER)
    fake.fail("DELETE", "/v2/phone_numbers/*", delay=0.6, drop=True)

    with pytest.raises(ProviderTimeout):
        telnyx.release(number_id)
    assert fake.owned[number_id]["status"] == "active"
    assert len(fake.requests_to("DELETE", f"/v2/phone_numbers/{number_id}")) == 1


def test_provider_accepts_a_caller_session(fake):
    fake.add_available(NUMBER)
    with requests.Session() as session:
        telnyx = TelnyxProvider(fake.api_key, fake.base_url, session=session)
        assert telnyx.search(SearchFilters("US"))[0].phone_number == NUMBER
        assert "Authorization" not in session.headers
