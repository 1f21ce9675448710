"""SandboxBilling: plans change on the spot, no portal, no webhooks; Checkout's two shapes."""

from __future__ import annotations

import pytest

from app.billing import BillingError, Checkout, WebhookSignatureError
from app.billing.sandbox import SandboxBilling
from app.plans.catalog import PLAN_KEYS
from tests.billing.helpers import CANCEL_URL, EMAIL, SUCCESS_URL, TEAM, WEBHOOK_SECRET
from tests.fakes.stripe import make_event, signed


@pytest.fixture
def sandbox() -> SandboxBilling:
    return SandboxBilling()


def test_it_says_it_is_the_sandbox(sandbox):
    assert (sandbox.name, sandbox.is_sandbox) == ("sandbox", True)


@pytest.mark.parametrize("plan", PLAN_KEYS)
def test_checkout_changes_the_plan_at_once(sandbox, plan):
    result = sandbox.start_checkout(TEAM, plan, None, EMAIL, SUCCESS_URL, CANCEL_URL)

    assert result == Checkout(plan, changed_now=True)
    assert (result.redirect_url, result.session_id) == (None, None)


def test_checkout_to_an_unknown_plan_is_refused(sandbox):
    with pytest.raises(BillingError, match="no plan 'enterprise'"):
        sandbox.start_checkout(TEAM, "enterprise", None, EMAIL, SUCCESS_URL, CANCEL_URL)


def test_there_is_no_portal(sandbox):
    assert sandbox.portal_url("cus_anything", "https://app.example.com/billing") is None


def test_webhooks_are_refused_even_when_signed(sandbox):
    payload, header = signed(make_event("customer.subscription.deleted", {}), WEBHOOK_SECRET)

    with pytest.raises(WebhookSignatureError, match="takes no webhooks"):
        sandbox.parse_webhook(payload, header)


def test_a_checkout_is_either_applied_or_a_redirect():
    assert Checkout.redirect("growth", "https://pay.example/cs_1", "cs_1").changed_now is False
    with pytest.raises(ValueError):
        Checkout("growth", changed_now=True, redirect_url="https://pay.example/cs_1")
    with pytest.raises(ValueError):
        Checkout("growth", changed_now=False, redirect_url="https://pay.example/cs_1")
    with pytest.raises(ValueError):
        Checkout("growth", changed_now=False, session_id="cs_1")
