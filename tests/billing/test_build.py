"""build_billing: the provider BILLING_PROVIDER names, or one clear line saying what is wrong."""

from __future__ import annotations

import pytest
from flask import Config

from app.billing import BillingConfigError, build_billing
from app.billing.sandbox import SandboxBilling
from app.billing.stripe_billing import StripeBilling
from app.config import TestConfig
from tests.billing.helpers import CANCEL_URL, EMAIL, SUCCESS_URL, TEAM
from tests.fakes.stripe import FakeStripe

COMPLETE = {
    "BILLING_PROVIDER": "stripe",
    "STRIPE_API_KEY": "sk_test_fake_key",
    "STRIPE_WEBHOOK_SECRET": "whsec_test",
    "STRIPE_PRICE_STARTER": "price_starter",
    "STRIPE_PRICE_GROWTH": "price_growth",
    "STRIPE_PRICE_SCALE": "price_scale",
}


def refusal(config: dict) -> str:
    with pytest.raises(BillingConfigError) as caught:
        build_billing(config)
    message = str(caught.value)
    assert "\n" not in message
    return message


@pytest.mark.parametrize("config", [{}, {"BILLING_PROVIDER": ""}, {"BILLING_PROVIDER": "sandbox"}])
def test_the_sandbox_is_the_default(config):
    assert isinstance(build_billing(config), SandboxBilling)


def test_the_app_configuration_builds_the_sandbox_for_tests():
    config = Config(".")
    config.from_object(TestConfig)

    assert build_billing(config).name == "sandbox"


def test_an_unknown_provider_is_one_clear_line():
    assert refusal({"BILLING_PROVIDER": "paypal"}) == (
        "BILLING_PROVIDER must be sandbox or stripe, not 'paypal'."
    )


def test_stripe_without_key_and_a_price_names_both_and_the_fix():
    config = {**COMPLETE, "STRIPE_API_KEY": None, "STRIPE_PRICE_GROWTH": "  "}

    assert refusal(config) == (
        "BILLING_PROVIDER=stripe needs STRIPE_API_KEY, STRIPE_PRICE_GROWTH: set them in the "
        "environment or .env, or use BILLING_PROVIDER=sandbox."
    )


def test_stripe_with_nothing_set_names_every_setting():
    message = refusal({"BILLING_PROVIDER": "stripe"})

    assert message.startswith(
        "BILLING_PROVIDER=stripe needs STRIPE_API_KEY, STRIPE_WEBHOOK_SECRET, "
        "STRIPE_PRICE_STARTER, STRIPE_PRICE_GROWTH, STRIPE_PRICE_SCALE: set them"
    )


def test_one_missing_setting_reads_as_one():
    message = refusal({**COMPLETE, "STRIPE_WEBHOOK_SECRET": ""})

    assert message.startswith("BILLING_PROVIDER=stripe needs STRIPE_WEBHOOK_SECRET: set it in")


def test_a_publishable_key_is_refused():
    message = refusal({**COMPLETE, "STRIPE_API_KEY": "pk_test_123"})

    assert message.startswith("STRIPE_API_KEY must be a secret key")


def test_one_price_for_two_plans_is_refused():
    message = refusal({**COMPLETE, "STRIPE_PRICE_SCALE": "price_growth"})

    assert "must be different Stripe price ids" in message


def test_a_complete_stripe_configuration_talks_to_stripe_api_base():
    with FakeStripe(api_key=COMPLETE["STRIPE_API_KEY"]) as fake:
        growth = fake.add_price("price_growth")
        billing = build_billing(
            {**COMPLETE, "BILLING_PROVIDER": " Stripe ", "STRIPE_API_BASE": fake.base_url}
        )
        try:
            assert isinstance(billing, StripeBilling)
            assert (billing.name, billing.is_sandbox) == ("stripe", False)
            result = billing.start_checkout(TEAM, "growth", None, EMAIL, SUCCESS_URL, CANCEL_URL)
        finally:
            billing.close()

    assert fake.sessions[result.session_id]["_line_items"][0]["price"] == growth
