"""Billing test data and a raw call to the fake, shared by the billing tests."""

from __future__ import annotations

from collections.abc import Callable

import requests

from app.billing.stripe_billing import StripeBilling
from tests.fakes.stripe import FakeStripe

WEBHOOK_SECRET = "whsec_test_secret"
TEAM = "team_01jtest"
EMAIL = "owner@example.com"
SUCCESS_URL = "https://app.example.com/billing/done?session_id={CHECKOUT_SESSION_ID}"
CANCEL_URL = "https://app.example.com/billing"

MakeBilling = Callable[..., StripeBilling]


def stripe_settings(fake: FakeStripe, prices: dict[str, str]) -> dict[str, str]:
    """The settings of an app that sells its plans through the fake Stripe."""
    return {
        "BILLING_PROVIDER": "stripe",
        "STRIPE_API_KEY": fake.api_key,
        "STRIPE_WEBHOOK_SECRET": WEBHOOK_SECRET,
        "STRIPE_API_BASE": fake.base_url,
        **{f"STRIPE_PRICE_{plan.upper()}": price for plan, price in prices.items()},
    }


def stripe_call(
    fake: FakeStripe,
    method: str,
    path: str,
    data: dict[str, str] | None = None,
    headers: dict[str, str] | None = None,
) -> requests.Response:
    """A raw request to the fake as any Stripe client sends it: form body, Bearer key."""
    sent = {"Authorization": f"Bearer {fake.api_key}", **(headers or {})}
    with requests.Session() as session:
        return session.request(method, fake.base_url + path, data=data, headers=sent, timeout=5)
