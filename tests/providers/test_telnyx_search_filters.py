"""The Telnyx client sends the new filters as Telnyx spells them and reads place and counts."""

from __future__ import annotations

import pytest

from app.providers.base import SearchFilters

AVAILABLE = "/v2/available_phone_numbers"


@pytest.fixture
def telnyx(make_provider):
    return make_provider()


def test_new_filters_are_sent_bracketed_and_only_when_set(fake, telnyx):
    telnyx.search_page(
        SearchFilters(
            "US",
            "415",
            limit=5,
            locality="San Francisco",
            region="CA",
            features=("voice", "sms"),
            contains="CAFE",
            starts_with="55",
            ends_with="99",
        )
    )
    (request,) = fake.requests_to("GET", AVAILABLE)
    assert request.query == {
        "filter[country_code]": "US",
        "filter[phone_number_type]": "local",
        "filter[limit]": "5",
        "filter[exclude_held_numbers]": "true",
        "filter[national_destination_code]": "415",
        "filter[locality]": "San Francisco",
        "filter[administrative_area]": "CA",
        "filter[features]": "voice,sms",
        "filter[phone_number][contains]": "CAFE",
        "filter[phone_number][starts_with]": "55",
        "filter[phone_number][ends_with]": "99",
    }


def test_the_fake_matches_vanity_letters_by_keypad_after_the_area_code(fake, telnyx):
    fake.add_available("+14155552233")  # ends with CAFE (2233)
    fake.add_available("+14155550100")
    found = telnyx.search_page(SearchFilters("US", "415", ends_with="CAFE")).numbers
    assert [n.phone_number for n in found] == ["+14155552233"]
    assert telnyx.search_page(SearchFilters("US", "415", starts_with="415")).numbers == []


def test_place_comes_from_region_information(fake, telnyx):
    fake.add_available("+13125550100", locality="Chicago", state="IL")
    fake.add_available("+14155550100", locality="San Francisco", state="CA")
    (found,) = telnyx.search_page(SearchFilters("US", locality="chicago")).numbers
    assert (found.phone_number, found.place) == ("+13125550100", "Chicago, IL")
    (found,) = telnyx.search_page(SearchFilters("US", region="CA")).numbers
    assert found.place == "San Francisco, CA"


def test_features_are_all_required(fake, telnyx):
    fake.add_available("+14155550100", features=("voice",))
    fake.add_available("+14155550101", features=("voice", "sms", "mms"))
    found = telnyx.search_page(SearchFilters("US", features=("sms", "mms"))).numbers
    assert [n.phone_number for n in found] == ["+14155550101"]


def test_the_total_counts_every_match_less_best_effort_ones(fake, telnyx):
    for last in range(6):
        fake.add_available(f"+1415555010{last}")
    fake.add_available("+14155550109", best_effort=True)
    page = telnyx.search_page(SearchFilters("US", limit=2))
    assert len(page.numbers) == 2 and page.total == 6


def test_numbers_held_by_another_customer_are_not_offered(fake, telnyx):
    fake.add_available("+14155550100")
    fake.add_available("+14155550101")
    fake.hold_elsewhere("+14155550100")
    assert [n.phone_number for n in telnyx.search_page(SearchFilters("US")).numbers] == [
        "+14155550101"
    ]
