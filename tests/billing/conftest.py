"""Billing fixtures: a FakeStripe with one price per paid plan, and providers pointed at it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from app.billing.stripe_billing import StripeBilling
from tests.billing.helpers import WEBHOOK_SECRET, MakeBilling
from tests.fakes.stripe import FakeStripe


@pytest.fixture
def fake() -> Iterator[FakeStripe]:
    with FakeStripe(api_key="sk_test_fake_key") as server:
        yield server


@pytest.fixture
def prices(fake: FakeStripe) -> dict[str, str]:
    """Plan key -> the fake's price id, one recurring price per paid plan."""
    return {plan: fake.add_price(f"price_{plan}") for plan in ("starter", "growth", "scale")}


@pytest.fixture
def make_billing(fake: FakeStripe, prices: dict[str, str]) -> Iterator[MakeBilling]:
    """Providers on the fake with test-sized timeouts and, unless asked, no retries."""
    made: list[StripeBilling] = []

    def make(**overrides: object) -> StripeBilling:
        options: dict = {
            "api_key": fake.api_key,
            "webhook_secret": WEBHOOK_SECRET,
            "prices": prices,
            "api_base": fake.base_url,
            "connect_timeout": 1.0,
            "read_timeout": 2.0,
            "max_network_retries": 0,
        }
        options.update(overrides)
        provider = StripeBilling(**options)
        made.append(provider)
        return provider

    yield make
    for provider in made:
        provider.close()


@pytest.fixture
def billing(make_billing: MakeBilling) -> StripeBilling:
    return make_billing()
