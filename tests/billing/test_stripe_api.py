"""StripeBilling's API calls (Checkout, Customer Portal) against FakeStripe over real HTTP."""

from __future__ import annotations

import socket

import pytest

from app.billing import BillingError
from app.billing.stripe_billing import StripeBilling
from tests.billing.helpers import CANCEL_URL, EMAIL, SUCCESS_URL, TEAM, MakeBilling
from tests.fakes.stripe import FakeStripe

SESSIONS = "/v1/checkout/sessions"
PORTAL = "/v1/billing_portal/sessions"


def checkout(billing: StripeBilling, plan: str = "growth", customer: str | None = None):
    return billing.start_checkout(TEAM, plan, customer, EMAIL, SUCCESS_URL, CANCEL_URL)


# -- checkout ------------------------------------------------------------------------


def test_checkout_creates_a_subscription_session_for_the_plans_price(billing, fake, prices):
    result = checkout(billing)

    assert result.changed_now is False and result.plan_key == "growth"
    session = fake.sessions[result.session_id]
    assert result.redirect_url == session["url"]
    (sent,) = fake.requests_to("POST", SESSIONS)
    assert sent.headers["Authorization"] == "Bearer sk_test_fake_key"
    assert sent.params == {
        "mode": "subscription",
        "line_items": [{"price": prices["growth"], "quantity": "1"}],
        "client_reference_id": TEAM,
        "metadata": {"team_id": TEAM, "plan": "growth"},
        "subscription_data": {"metadata": {"team_id": TEAM, "plan": "growth"}},
        "customer_email": EMAIL,
        "success_url": SUCCESS_URL,
        "cancel_url": CANCEL_URL,
    }


@pytest.mark.parametrize("plan", ["starter", "growth", "scale"])
def test_each_paid_plan_is_sold_at_its_own_price(billing, fake, prices, plan):
    result = checkout(billing, plan)

    assert result.plan_key == plan
    assert fake.sessions[result.session_id]["_line_items"][0]["price"] == prices[plan]


def test_a_known_customer_is_reused_instead_of_the_email(billing, fake):
    customer = fake.add_customer("owner@example.com")

    result = checkout(billing, customer=customer)

    (sent,) = fake.requests_to("POST", SESSIONS)
    assert sent.params["customer"] == customer
    assert "customer_email" not in sent.params
    assert fake.sessions[result.session_id]["customer"] == customer


@pytest.mark.parametrize("plan", ["free", "enterprise"])
def test_a_plan_without_a_price_is_refused_before_calling_stripe(billing, fake, plan):
    with pytest.raises(BillingError, match=f"no Stripe price for the '{plan}' plan"):
        checkout(billing, plan)
    assert fake.requests == []


def test_an_unknown_price_is_a_billing_error_with_stripes_message(make_billing, fake, prices):
    billing = make_billing(prices={**prices, "growth": "price_deleted_in_dashboard"})

    with pytest.raises(BillingError) as caught:
        checkout(billing)

    error = caught.value
    assert (
        error.message == "Stripe refused the request: No such price: 'price_deleted_in_dashboard'"
    )
    assert (error.code, error.param, error.http_status) == (
        "resource_missing",
        "line_items[0][price]",
        400,
    )
    assert fake.sessions == {}


def test_an_unknown_customer_is_a_billing_error(billing, fake):
    with pytest.raises(BillingError, match="No such customer: 'cus_gone'") as caught:
        checkout(billing, customer="cus_gone")
    assert caught.value.param == "customer"


def test_a_wrong_api_key_is_a_billing_error_naming_the_key(make_billing, fake):
    billing = make_billing(api_key="sk_test_not_the_right_one")

    with pytest.raises(BillingError) as caught:
        checkout(billing)

    assert caught.value.message.startswith("Stripe refused the API key: Invalid API Key provided")
    assert caught.value.http_status == 401
    assert fake.sessions == {}


def test_a_500_is_a_billing_error_not_a_crash(billing, fake):
    fake.fail("POST", SESSIONS, status=500)

    with pytest.raises(BillingError) as caught:
        checkout(billing)

    assert caught.value.message == "Stripe failed: An unknown error occurred"
    assert caught.value.http_status == 500
    assert fake.sessions == {}


def test_a_rate_limit_is_a_billing_error_and_not_retried(make_billing, fake):
    billing = make_billing(max_network_retries=2)
    fake.fail("POST", SESSIONS, status=429)

    with pytest.raises(BillingError, match="^Stripe is limiting requests") as caught:
        checkout(billing)

    assert (caught.value.code, caught.value.http_status) == ("rate_limit", 429)
    # Stripe's library does not retry a 429, so the person waiting hears about it at once.
    assert len(fake.requests_to("POST", SESSIONS)) == 1


def test_a_nonsense_answer_is_a_billing_error(billing, fake):
    fake.fail("POST", SESSIONS, status=200, body="<html>proxy error</html>")

    with pytest.raises(BillingError, match="^Stripe failed: Invalid response body"):
        checkout(billing)


def test_an_unreachable_stripe_is_a_billing_error(make_billing):
    with socket.socket() as sock:  # a port nothing listens on once this closes
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    billing = make_billing(api_base=f"http://127.0.0.1:{port}")

    with pytest.raises(BillingError, match="^Could not reach Stripe"):
        checkout(billing)


def test_one_500_is_retried_with_the_same_idempotency_key(make_billing, fake):
    billing = make_billing(max_network_retries=1)
    fake.fail("POST", SESSIONS, status=500)

    result = checkout(billing)

    first, retry = fake.requests_to("POST", SESSIONS)
    assert first.headers["Idempotency-Key"] == retry.headers["Idempotency-Key"]
    assert list(fake.sessions) == [result.session_id]


def test_a_timed_out_checkout_retried_gets_the_first_session_not_a_second(make_billing, fake):
    # The first POST is slower than the read timeout but still creates its session; the
    # library's retry (>= 0.5 s after the timeout, same key) must get that session replayed.
    # A whole second to answer the retry: a busy machine is slow, not wrong.
    billing = make_billing(max_network_retries=1, read_timeout=1.0)
    fake.fail("POST", SESSIONS, delay=1.25)

    result = checkout(billing)

    assert len(fake.requests_to("POST", SESSIONS)) == 2
    assert list(fake.sessions) == [result.session_id]


# -- customer portal -----------------------------------------------------------------


def test_portal_url_is_a_portal_session_for_the_customer(billing, fake):
    customer = fake.add_customer(EMAIL)

    url = billing.portal_url(customer, "https://app.example.com/billing")

    (portal,) = fake.portal_sessions.values()
    assert url == portal["url"] and url.startswith("https://billing.stripe.com/p/session/")
    (sent,) = fake.requests_to("POST", PORTAL)
    assert sent.params == {"customer": customer, "return_url": "https://app.example.com/billing"}


def test_portal_for_an_unknown_customer_is_a_billing_error(billing, fake):
    with pytest.raises(BillingError, match="No such customer: 'cus_missing'") as caught:
        billing.portal_url("cus_missing", "https://app.example.com/billing")
    assert (caught.value.code, caught.value.param) == ("resource_missing", "customer")


def test_portal_before_it_is_configured_says_where_to_configure_it(billing, fake):
    fake.portal_configured = False
    customer = fake.add_customer(EMAIL)

    with pytest.raises(BillingError, match="settings/billing/portal"):
        billing.portal_url(customer, "https://app.example.com/billing")


def test_portal_survives_a_500_as_a_billing_error(billing, fake):
    customer = fake.add_customer(EMAIL)
    fake.fail("POST", PORTAL, status=503)

    with pytest.raises(BillingError, match="^Stripe failed"):
        billing.portal_url(customer, "https://app.example.com/billing")


def test_api_base_may_be_given_with_v1(make_billing: MakeBilling, fake: FakeStripe):
    billing = make_billing(api_base=fake.base_url + "/v1/")

    checkout(billing)

    assert len(fake.requests_to("POST", SESSIONS)) == 1
