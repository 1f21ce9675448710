"""TelnyxProvider searching, against the fake Telnyx over real HTTP; and the HTTP rules."""

from __future__ import annotations

import socket
from decimal import Decimal

import pytest
import requests

from app.providers.base import AvailableNumber, ProviderError, ProviderTimeout, SearchFilters
from app.providers.telnyx import TelnyxProvider

NUMBER = "+14155550100"
AVAILABLE = "/v2/available_phone_numbers"


def test_search_sends_bracketed_filters_and_maps_fields(fake, telnyx):
    item = fake.add_available(NUMBER, monthly="1", features=("voice", "sms", "mms"))
    del item["cost_information"]["upfront_cost"]
    fake.add_available("+12125550100")

    found = telnyx.search_page(SearchFilters("US", area_code="415", limit=5)).numbers

    # A missing price is unknown (None), never zero.
    assert found == [AvailableNumber(NUMBER, Decimal("1"), None, "USD", ("voice", "sms", "mms"))]
    (request,) = fake.requests_to("GET", AVAILABLE)
    assert request.query == {
        "filter[country_code]": "US",
        "filter[national_destination_code]": "415",
        "filter[phone_number_type]": "local",
        "filter[limit]": "5",
        "filter[exclude_held_numbers]": "true",
    }
    assert request.headers["Authorization"] == "Bearer test-key"
    assert request.headers["User-Agent"].startswith("phonenumbers-desk/")


def test_search_keeps_the_quoted_currency(fake, telnyx):
    fake.add_available("+4930901820", monthly="0.90", upfront="0.50", currency="EUR")

    (found,) = telnyx.search_page(SearchFilters("DE")).numbers

    assert (found.monthly_price, found.setup_price, found.currency) == (
        Decimal("0.90"),
        Decimal("0.50"),
        "EUR",
    )


def test_search_without_area_code_leaves_that_filter_out(fake, telnyx):
    fake.add_available(NUMBER)
    fake.add_available("+12125550100")

    found = telnyx.search_page(SearchFilters("US")).numbers

    assert {n.phone_number for n in found} == {NUMBER, "+12125550100"}
    assert "filter[national_destination_code]" not in fake.requests[0].query


def test_search_drops_best_effort_results(fake, telnyx):
    fake.add_available(NUMBER)
    fake.add_available("+14155550101", best_effort=True)

    found = telnyx.search_page(SearchFilters("US", area_code="415")).numbers

    assert [n.phone_number for n in found] == [NUMBER]


def test_toll_free_asks_for_quickship_numbers_only(fake, telnyx):
    fake.add_available(NUMBER)
    fake.add_available("+18005550100", monthly="2.5")
    fake.add_available("+18885550100", quickship=False)  # would take days to activate

    found = telnyx.search_page(SearchFilters("US", number_type="toll-free")).numbers

    assert [(n.phone_number, n.monthly_price) for n in found] == [("+18005550100", Decimal("2.5"))]
    query = fake.requests[0].query
    assert query["filter[phone_number_type]"] == "toll_free"
    assert query["filter[quickship]"] == "true"


def test_search_never_returns_more_than_the_limit(fake, telnyx):
    items = [{"phone_number": f"+1415555010{i}"} for i in range(5)]
    fake.fail("GET", AVAILABLE, status=200, body={"data": items})

    found = telnyx.search_page(SearchFilters("US", limit=3)).numbers

    assert [n.phone_number for n in found] == ["+14155550100", "+14155550101", "+14155550102"]


def test_search_treats_every_field_as_optional(fake, telnyx):
    items = [
        {"cost_information": {"monthly_cost": "1.00"}},  # no number: skipped
        {"phone_number": NUMBER, "features": None, "cost_information": None},
        "garbage",
    ]
    fake.fail("GET", AVAILABLE, status=200, body={"data": items})

    found = telnyx.search_page(SearchFilters("US")).numbers

    # Without `reservable: true` Telnyx is not known to hold it: it can be bought, not held.
    assert found == [AvailableNumber(NUMBER, None, None, None, (), reservable=False)]


def test_search_refuses_bad_provider_data(fake, telnyx):
    items = [
        {"phone_number": "+14155550101", "cost_information": {"monthly_cost": "1e400"}},
        {"phone_number": "+14155550102", "cost_information": {"monthly_cost": "-5"}},
        {"phone_number": "+14155550103", "cost_information": {"monthly_cost": "NaN"}},
        {"phone_number": "not-a-number"},
        {"phone_number": "+1 (415) 555-0199", "cost_information": {"monthly_cost": "1"}},
        {"phone_number": "+1415555\u0967\u0966\u0966"},  # Devanagari digits
    ]
    fake.fail("GET", AVAILABLE, status=200, body={"data": items})

    found = {
        n.phone_number: n.monthly_price for n in telnyx.search_page(SearchFilters("US")).numbers
    }

    # Absurd, negative and non-numbers are unknown prices; numbers are E.164 or dropped.
    assert found == {
        "+14155550101": None,
        "+14155550102": None,
        "+14155550103": None,
        "+14155550199": Decimal("1"),
    }


def test_an_invalid_number_type_is_telnyxs_error_with_its_detail(fake, telnyx):
    with pytest.raises(ProviderError, match="phone_number_type must be one of"):
        telnyx.search_page(SearchFilters("US", number_type="landline"))


# -- transport and errors ----------------------------------------------------------------


def test_get_503_is_retried_with_backoff_not_the_rate_limit_reset(fake, telnyx, sleeps):
    fake.add_available(NUMBER)
    fake.fail("GET", AVAILABLE, status=503, headers={"x-ratelimit-reset": "40"})

    found = telnyx.search_page(SearchFilters("US")).numbers

    assert [n.phone_number for n in found] == [NUMBER]
    assert len(fake.requests_to("GET", AVAILABLE)) == 2
    assert sleeps == [0.1]  # the reset header is a hint for 429 only


def test_search_429_waits_for_the_rate_limit_reset_then_retries(fake, telnyx, sleeps):
    fake.add_available(NUMBER)
    fake.fail("GET", AVAILABLE, status=429, headers={"x-ratelimit-reset": "1"})

    found = telnyx.search_page(SearchFilters("US")).numbers

    assert sleeps == [1.0]
    assert [n.phone_number for n in found] == [NUMBER]


def test_waits_between_retries_are_capped(fake, telnyx, sleeps):
    fake.fail("GET", AVAILABLE, status=429, headers={"x-ratelimit-reset": "30"}, times=3)

    with pytest.raises(ProviderError, match="rate limiting"):
        telnyx.search_page(SearchFilters("US"))
    assert sum(sleeps) <= telnyx.http.max_backoff_total


def test_search_persistent_500_is_a_provider_error(fake, telnyx, sleeps):
    fake.fail("GET", AVAILABLE, status=500, times=3)

    with pytest.raises(ProviderError, match="HTTP 500") as raised:
        telnyx.search_page(SearchFilters("US"))
    assert type(raised.value) is ProviderError
    assert len(fake.requests_to("GET", AVAILABLE)) == 3


def test_search_read_timeout_is_a_provider_timeout(fake, make_provider):
    telnyx = make_provider(read_timeout=0.3)
    fake.fail("GET", AVAILABLE, delay=1.0, times=3)

    with pytest.raises(ProviderTimeout):
        telnyx.search_page(SearchFilters("US"))
    assert len(fake.requests_to("GET", AVAILABLE)) == 3


def test_connection_refused_is_a_provider_error(make_provider):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    telnyx = make_provider(base_url=f"http://127.0.0.1:{port}/v2")

    with pytest.raises(ProviderError) as searched:
        telnyx.search_page(SearchFilters("US"))
    with pytest.raises(ProviderError) as ordered:
        telnyx.order(NUMBER, connection_id=None, customer_reference="r")
    assert type(searched.value) is ProviderError
    assert type(ordered.value) is ProviderError
    assert not ordered.value.outcome_unknown  # nothing reached Telnyx: nothing was ordered


def test_malformed_json_is_a_provider_error(fake, telnyx):
    fake.fail("GET", AVAILABLE, body="not json", times=3)

    with pytest.raises(ProviderError, match="nonsense"):
        telnyx.search_page(SearchFilters("US"))


def test_wrong_api_key_is_rejected_without_leaking_the_key(fake, make_provider, caplog):
    telnyx = make_provider(api_key="KEY-supersecret-123")

    with pytest.raises(ProviderError, match="rejected our credentials") as raised:
        telnyx.search_page(SearchFilters("US"))
    assert "supersecret" not in str(raised.value)
    # The fix names a setting: the operator's log says it, the customer's sentence does not.
    assert "TELNYX_API_KEY" not in str(raised.value)
    assert "check TELNYX_API_KEY" in caplog.text and "supersecret" not in caplog.text
    assert len(fake.requests) == 1  # not retried


def test_a_403_keeps_telnyxs_own_detail(fake, telnyx):
    body = {
        "errors": [
            {
                "code": "10010",
                "title": "Authorization failed",
                "detail": "This key may not order numbers in DE.",
            }
        ]
    }
    fake.fail("GET", AVAILABLE, status=403, body=body)

    with pytest.raises(ProviderError) as raised:
        telnyx.search_page(SearchFilters("US"))
    assert "This key may not order numbers in DE" in raised.value.message
    assert "API key" not in raised.value.message


def test_provider_accepts_a_caller_session(fake):
    fake.add_available(NUMBER)
    with requests.Session() as session:
        telnyx = TelnyxProvider(fake.api_key, fake.base_url, session=session)
        assert telnyx.search_page(SearchFilters("US")).numbers[0].phone_number == NUMBER
        assert "Authorization" not in session.headers


def test_every_answer_carries_rate_limit_headers(fake):
    answer = requests.get(f"{fake.base_url}/phone_numbers", headers={"Authorization": "Bearer x"})
    assert answer.status_code == 401
    assert {"x-ratelimit-limit", "x-ratelimit-remaining", "x-ratelimit-reset"} <= {
        name.lower() for name in answer.headers
    }
