from decimal import Decimal

import phonenumbers
import pytest
from phonenumbers import PhoneNumberType

from app.phone import LOCAL, TOLL_FREE
from app.providers.base import ProviderError, ProviderNumberUnavailable, SearchFilters
from app.providers.sandbox import SandboxProvider

pytestmark = pytest.mark.any_database  # CI runs it once, not on each database

LOCAL_TYPES = {PhoneNumberType.FIXED_LINE, PhoneNumberType.FIXED_LINE_OR_MOBILE}


def numbers(provider, *args):
    return [n.phone_number for n in provider.search_page(SearchFilters(*args)).numbers]


def test_every_known_country_gets_valid_local_numbers_of_its_own():
    provider = SandboxProvider()
    for region in sorted(phonenumbers.SUPPORTED_REGIONS):
        found = numbers(provider, region, None, LOCAL, 5)
        assert len(found) == 5, region
        for e164 in found:
            parsed = phonenumbers.parse(e164)
            assert phonenumbers.is_valid_number_for_region(parsed, region), (region, e164)
            assert phonenumbers.number_type(parsed) in LOCAL_TYPES, (region, e164)
            assert provider.offers(e164)


def test_toll_free_numbers_are_toll_free_wherever_offered():
    provider = SandboxProvider()
    offered = 0
    for region in sorted(phonenumbers.SUPPORTED_REGIONS):
        for e164 in numbers(provider, region, None, TOLL_FREE, 3):
            offered += 1
            assert phonenumbers.number_type(phonenumbers.parse(e164)) == PhoneNumberType.TOLL_FREE
    assert offered > 300


def test_us_area_code_offers_the_fictional_555_01xx_range_in_order():
    found = numbers(SandboxProvider(), "US", "415", LOCAL, 100)
    assert found == [f"+1415555{n:04d}" for n in range(100, 200)]
    assert numbers(SandboxProvider(), "US", "415", LOCAL, 100) == found  # deterministic


def test_canada_area_code():
    assert numbers(SandboxProvider(), "CA", "604", LOCAL, 2) == ["+16045550100", "+16045550101"]


@pytest.mark.parametrize(
    ("region", "number_type", "prefix"),
    [
        ("GB", LOCAL, "+4420794600"),
        ("GB", TOLL_FREE, "+4480815700"),
        ("AU", LOCAL, "+6125550"),
        ("FR", LOCAL, "+33199000"),
    ],
)
def test_regulators_fictional_ranges_are_preferred(region, number_type, prefix):
    assert all(
        n.startswith(prefix) for n in numbers(SandboxProvider(), region, None, number_type, 10)
    )


def test_held_numbers_are_skipped_and_the_limit_still_filled():
    held = {"+14155550100", "+14155550102", "+14155550103"}
    provider = SandboxProvider(held=lambda batch: held.intersection(batch))
    assert numbers(provider, "US", "415", LOCAL, 3) == [
        "+14155550101",
        "+14155550104",
        "+14155550105",
    ]


def test_prices_and_features_are_plausible_and_stable():
    first = SandboxProvider().search_page(SearchFilters("DE", None, LOCAL, 1)).numbers[0]
    again = SandboxProvider().search_page(SearchFilters("DE", None, LOCAL, 1)).numbers[0]
    assert first == again
    assert float(first.monthly_price) > 0 and first.features
    us = SandboxProvider().search_page(SearchFilters("US", None, TOLL_FREE, 1)).numbers[0]
    assert (us.monthly_price, us.setup_price) == (Decimal("2.00"), Decimal("1.00"))


def test_order_refuses_a_number_it_would_not_offer():
    provider = SandboxProvider()
    with pytest.raises(ProviderNumberUnavailable):
        provider.order("+14155552671", connection_id=None, customer_reference="r1")
    result = provider.order("+14155550150", connection_id=None, customer_reference="r2")
    assert (result.status, result.provider_number_id) == ("active", "sandbox-14155550150")


def test_regulated_countries_need_documents_and_their_orders_wait_then_lapse():
    clock = [1_000_000.0]
    provider = SandboxProvider(clock=lambda: clock[0])
    (offer,) = provider.search_page(SearchFilters("DE", None, LOCAL, 1)).numbers
    assert [r.name for r in provider.requirements("DE", LOCAL)] == [
        "Proof of address",
        "Identity document",
        "Service address",
    ]
    assert provider.requirements("US", LOCAL) == provider.requirements("DE", TOLL_FREE) == []

    placed = provider.order(offer.phone_number, connection_id=None, customer_reference="r")
    assert (placed.status, placed.documents_required) == ("pending", True)
    clock[0] += 60
    assert provider.check_order(placed.order_id, offer.phone_number).status == "pending"
    clock[0] += 15 * 60
    lapsed = provider.check_order(placed.order_id, offer.phone_number)
    assert lapsed.status == "failed" and "documents" in lapsed.detail
    with pytest.raises(ProviderError, match="no order"):
        provider.check_order("order-from-elsewhere", offer.phone_number)


def test_the_sandbox_account_is_what_the_platform_holds():
    provider = SandboxProvider(owned=lambda: [("sandbox-14155550100", "+14155550100")])
    (owned,) = provider.owned_numbers()
    assert (owned.id, owned.phone_number, owned.status) == (
        "sandbox-14155550100",
        "+14155550100",
        "active",
    )
    assert provider.quote("+14155550100").monthly_price == Decimal("1.00")
    assert provider.quote("+14155552671") is None  # not a number the sandbox offers


def test_some_numbers_can_be_bought_but_not_held_as_at_telnyx():
    provider = SandboxProvider()
    found = provider.search_page(SearchFilters("US", "415", LOCAL, 20)).numbers
    assert [n.phone_number for n in found if not n.reservable] == ["+14155550109"]
    with pytest.raises(ProviderNumberUnavailable, match="cannot be held"):
        provider.hold("+14155550109", customer_reference="t")
    assert provider.hold("+14155550108", customer_reference="t").expires_at is not None
    assert provider.order("+14155550109", connection_id=None, customer_reference="r").status == (
        "active"
    )
