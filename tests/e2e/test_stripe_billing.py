"""End to end with Stripe: Chromium → Stripe Checkout (the fake's account; its hosted page is
stood in for) → Stripe's signed webhook over HTTP → the plan; then a cancellation → Free."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.helpers import sign_in
from tests.e2e.live import live_server
from tests.fakes.stripe import FakeStripe, deliver

SECRET = "whsec_e2e"


@pytest.fixture(scope="module")
def fake():
    with FakeStripe(api_key="sk_test_e2e") as stripe:
        yield stripe


@pytest.fixture(scope="module")
def server(tmp_path_factory, fake, mailbox):
    prices = {plan: fake.add_price(f"price_e2e_{plan}") for plan in ("starter", "growth", "scale")}
    settings = {
        "BILLING_PROVIDER": "stripe",
        "STRIPE_API_KEY": fake.api_key,
        "STRIPE_WEBHOOK_SECRET": SECRET,
        "STRIPE_API_BASE": fake.base_url,
        **{f"STRIPE_PRICE_{plan.upper()}": price for plan, price in prices.items()},
    }
    with live_server(tmp_path_factory.mktemp("stripe"), **mailbox.config, **settings) as live:
        yield live


def send_events(server, fake: FakeStripe, *types: str) -> None:
    """Stripe delivering its latest event of each type to our endpoint, signed."""
    for event_type in types:
        answer = deliver(f"{server.url}/webhooks/stripe", fake.events_of(event_type)[-1], SECRET)
        assert answer.status_code == 200, answer.text


def test_checkout_then_webhook_changes_the_plan_and_cancelling_returns_to_free(
    server, people, fake, page: Page, context
):
    # Stripe's hosted pages are on the internet; the browser gets a stand-in for them.
    context.route(
        "https://checkout.stripe.com/**",
        lambda route: route.fulfill(content_type="text/html", body="<h1>Stripe Checkout</h1>"),
    )
    owner = people.member("free")
    sign_in(page, server.url, owner.email)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Plans").click()
    expect(page.locator("#billing-free-changes")).to_have_count(0)
    page.locator("#plan-growth").get_by_role("link", name="Upgrade to Growth").click()
    expect(page.locator("#change-billing")).to_contain_text("Next you pay $29 by card")
    page.get_by_role("button", name="Continue to payment").click()
    expect(page.get_by_role("heading", name="Stripe Checkout")).to_be_visible()
    session_id = page.url.rsplit("/", 1)[-1]
    assert session_id in fake.sessions

    session = fake.complete_checkout(session_id)  # the customer paid
    send_events(server, fake, "customer.subscription.created", "checkout.session.completed")
    page.goto(fake.sessions[session_id]["success_url"])
    expect(page.locator("#checkout-returned")).to_contain_text("Payment received")
    expect(page.locator("#plan-headline")).to_have_text("0 of 10 numbers · Growth")
    expect(page.locator("#plan-growth [data-role=current]")).to_be_visible()

    page.goto(f"{server.url}/teams/{owner.team_id}/search?country=US&area_code=212&limit=3")
    for row in range(2):
        page.locator("#offers tbody tr").nth(row).locator("button[data-buy]").click()
        expect(page.locator("#offers tbody tr").nth(row)).to_contain_text("Purchased ✓")

    fake.cancel_subscription(session["subscription"])  # cancelled in Stripe's portal
    send_events(server, fake, "customer.subscription.deleted")
    page.goto(f"{server.url}/teams/{owner.team_id}/numbers")
    expect(page.locator("#plan-headline")).to_have_text("2 of 1 numbers · Free")
    # Nothing is released yet: the grace says what happens, and when.
    expect(page.locator("#grace-situation")).to_contain_text(
        "This team holds 2 numbers and the Free plan keeps only a trial number"
    )
    expect(page.locator("#numbers-table tbody tr")).to_have_count(2)
    page.goto(f"{server.url}/teams/{owner.team_id}/search?country=US&area_code=212&limit=3")
    expect(page.locator("#offers tbody tr").first.locator("button[data-buy]")).to_be_disabled()
    expect(page.locator("#offers-notice")).to_contain_text("keeps only a trial number")
