"""The Stripe path end to end against the fake over HTTP: Checkout → signed webhook → plan;
the portal for a subscribed team; cancellation back to Free; each event applied once."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from app.extensions import db
from app.models import AuditEvent, WebhookEvent
from tests.billing.helpers import (
    WEBHOOK_SECRET,
    checkout,
    choose,
    deliver,
    stripe_settings,
    team_row,
)
from tests.factories import Factory
from tests.fakes.stripe import FakeStripe, make_event, signed
from tests.pages.helpers import Auth, add_number, buy, soup, text
from tests.support import build_app, teardown_app


@pytest.fixture
def app(tmp_path, fake: FakeStripe, prices):
    app = build_app(tmp_path, **stripe_settings(fake, prices))
    yield app
    teardown_app(app)


@pytest.fixture
def owner(app, client):
    someone = Factory(app).member("free")
    Auth(client).sign_in(someone)
    return someone


def test_choosing_a_paid_plan_opens_checkout_and_the_plan_waits_for_the_webhook(
    app, client, fake, owner, prices
):
    response = choose(client, owner.team_id, "growth")
    assert response.status_code == 303
    assert response.location.startswith("https://checkout.stripe.com/c/pay/cs_test_")
    [sent] = fake.requests_to("POST", "/v1/checkout/sessions")
    assert sent.params["mode"] == "subscription"
    assert sent.params["line_items"] == [{"price": prices["growth"], "quantity": "1"}]
    assert sent.params["client_reference_id"] == owner.team_id
    assert sent.params["customer_email"] == owner.email
    success = urlsplit(sent.params["success_url"])
    assert success.path == f"/teams/{owner.team_id}/plans"
    assert parse_qs(success.query) == {"checkout": ["done"]}
    assert team_row(app, owner.team_id).plan == "free"  # nothing changes before Stripe says so


def test_the_webhook_after_payment_changes_the_plan_and_keeps_the_trial(app, client, fake, owner):
    assert buy(client, owner.team_id, "+14155550100").status_code == 200
    session = checkout(client, fake, owner)

    team = team_row(app, owner.team_id)
    assert team.plan == "growth"
    assert team.billing_customer_id == session["customer"]
    assert team.billing_subscription_id == session["subscription"]
    page = soup(client.get(f"/teams/{owner.team_id}/plans?checkout=done"))
    assert page.select_one("#checkout-returned")
    assert page.select_one("#plan-headline").get_text(strip=True) == "1 of 10 numbers · Growth"
    assert buy(client, owner.team_id, "+14155550101").status_code == 200
    history = soup(client.get(f"/teams/{owner.team_id}/history"))
    line = history.select_one("#history-table tbody tr:-soup-contains('Changed the plan')")
    assert "Stripe" in text(line)


def test_a_replayed_event_changes_nothing_more(app, client, fake, owner):
    checkout(client, fake, owner)
    again = deliver(client, fake.events_of("checkout.session.completed")[-1])
    assert again.status_code == 200 and again.json["outcome"] == "duplicate"
    with app.app_context():
        changes = db.session.scalars(
            db.select(AuditEvent).where(AuditEvent.action == "plan_change")
        ).all()
        assert len(changes) == 1
        # customer.subscription.created is not an event the app uses: nothing is kept for it.
        stored = db.session.scalars(db.select(WebhookEvent.event_type)).all()
        assert stored == ["checkout_completed"]


def test_a_subscribed_team_changes_plan_in_the_customer_portal(app, client, fake, owner):
    session = checkout(client, fake, owner)
    response = choose(client, owner.team_id, "scale")
    assert response.status_code == 303
    assert response.location.startswith("https://billing.stripe.com/p/session/")
    [portal] = fake.requests_to("POST", "/v1/billing_portal/sessions")
    assert portal.params["customer"] == session["customer"]
    # The change made there arrives as customer.subscription.updated.
    sub_id = session["subscription"]
    with fake.lock:
        item = fake.subscriptions[sub_id]["items"]["data"][0]
        item["price"] = dict(fake.prices[next(p for p in fake.prices if p.endswith("scale"))])
    fake.update_subscription(sub_id, status="active")
    assert deliver(client, fake.events_of("customer.subscription.updated")[-1]).status_code == 200
    assert team_row(app, owner.team_id).plan == "scale"


def test_a_cancelled_subscription_returns_the_team_to_free_and_blocks_purchases(
    app, client, fake, owner
):
    session = checkout(client, fake, owner)
    for i in range(3):
        add_number(app, owner.team_id, f"+1212555010{i}")
    fake.cancel_subscription(session["subscription"])
    assert deliver(client, fake.events_of("customer.subscription.deleted")[-1]).status_code == 200

    team = team_row(app, owner.team_id)
    assert (team.plan, team.billing_subscription_id) == ("free", None)
    assert team.billing_customer_id == session["customer"]  # kept, for the next checkout
    page = soup(client.get(f"/teams/{owner.team_id}/numbers"))
    assert page.select_one("#plan-headline").get_text(strip=True) == "3 of 1 numbers · Free"
    assert text(page.select_one("#grace-situation")).startswith(
        "This team holds 3 numbers and the Free plan keeps only a trial number"
    )
    assert len(page.select("#numbers-table tbody tr")) == 3  # nothing released before the end
    refused = buy(client, owner.team_id, "+14155550111")
    assert refused.status_code == 403
    # A new checkout reuses the Stripe customer.
    choose(client, owner.team_id, "starter")
    last = fake.requests_to("POST", "/v1/checkout/sessions")[-1]
    assert last.params["customer"] == session["customer"]


def test_an_old_event_arriving_late_does_not_undo_a_newer_one(app, client, fake, owner):
    session = checkout(client, fake, owner)
    fake.cancel_subscription(session["subscription"])
    deleted = fake.events_of("customer.subscription.deleted")[-1]
    stale = make_event(
        "customer.subscription.updated",
        {**deleted["data"]["object"], "status": "active"},
        created=deleted["created"] - 60,
    )
    assert deliver(client, deleted).status_code == 200
    answer = deliver(client, stale)
    assert answer.json["outcome"] == "ignored"
    assert team_row(app, owner.team_id).plan == "free"


def test_the_end_of_a_replaced_subscription_changes_nothing(app, client, fake, owner):
    checkout(client, fake, owner)
    other = make_event(
        "customer.subscription.deleted",
        {
            "id": "sub_someoldone",
            "object": "subscription",
            "status": "canceled",
            "customer": team_row(app, owner.team_id).billing_customer_id,
            "metadata": {"team_id": owner.team_id},
            "items": {"data": []},
        },
    )
    assert deliver(client, other).json["outcome"] == "ignored"
    assert team_row(app, owner.team_id).plan == "growth"


@pytest.mark.parametrize("secret", ["whsec_someone_else", None])
def test_an_unsigned_or_wrongly_signed_webhook_is_refused_and_changes_nothing(
    app, client, fake, owner, secret
):
    choose(client, owner.team_id, "growth")
    session_id = next(iter(fake.sessions))
    fake.complete_checkout(session_id)
    event = fake.events_of("checkout.session.completed")[-1]
    if secret:
        response = deliver(client, event, secret)
    else:
        payload, _ = signed(event, WEBHOOK_SECRET)
        response = client.post("/webhooks/stripe", data=payload)
    assert response.status_code == 400
    assert response.json["error"]["code"] == "invalid_signature"
    assert team_row(app, owner.team_id).plan == "free"


def test_stripe_failing_leaves_the_plan_and_says_why(app, client, fake, owner):
    fake.fail("POST", "/checkout/sessions", status=500, times=2)  # the one retry fails too
    response = choose(client, owner.team_id, "growth")
    assert response.status_code == 303
    page = soup(client.get(response.location))
    assert "The plan did not change: Stripe failed" in text(page.select_one(".flash-error"))
    assert team_row(app, owner.team_id).plan == "free"


def test_the_sandbox_takes_no_stripe_webhooks(tmp_path):
    sandbox = build_app(tmp_path)
    try:
        response = sandbox.test_client().post("/webhooks/stripe", data=b"{}")
        assert response.status_code == 503
        assert "BILLING_PROVIDER" in response.json["error"]["message"]
    finally:
        teardown_app(sandbox)


def test_the_pages_let_a_form_redirect_to_stripe_only_when_stripe_sells_the_plans(
    app, client, tmp_path
):
    policy = client.get("/signin").headers["Content-Security-Policy"]
    assert "form-action 'self' https://checkout.stripe.com https://billing.stripe.com" in policy
    (tmp_path / "sandbox").mkdir()
    sandbox = build_app(tmp_path / "sandbox")
    try:
        policy = sandbox.test_client().get("/signin").headers["Content-Security-Policy"]
        assert "form-action 'self';" in policy
    finally:
        teardown_app(sandbox)


@pytest.mark.parametrize("token", ["", "\u096a\u0967\u096b", "a\x00b", "\u202eevil"])
def test_the_billing_portal_button_needs_the_forms_own_token(app, client, fake, owner, token):
    checkout(client, fake, owner)
    page = soup(client.get(f"/teams/{owner.team_id}/plans"))
    assert page.select_one("#manage-billing")
    response = client.post(f"/teams/{owner.team_id}/billing", data={"csrf_token": token})
    assert response.status_code == 400
    assert fake.requests_to("POST", "/v1/billing_portal/sessions") == []


def test_the_summary_says_what_paying_looks_like_before_stripe_opens(app, client, fake, owner):
    page = soup(client.get(f"/teams/{owner.team_id}/plans/growth/confirm"))
    assert text(page.select_one("#change-billing")) == (
        "Next you pay $29 by card in Stripe Checkout, then $29 each month until you cancel. "
        "The plan changes as soon as Stripe confirms the payment."
    )
    assert text(page.select_one("#change-confirm")) == "Continue to payment"
    assert fake.requests_to("POST", "/v1/checkout/sessions") == []  # nothing opened yet
    checkout(client, fake, owner)
    page = soup(client.get(f"/teams/{owner.team_id}/plans/free/confirm"))
    assert text(page.select_one("#change-billing")).startswith(
        "Stripe's billing portal opens next: cancel the subscription there. Stripe shows what "
        "you are charged or credited before you confirm"
    )
    assert text(page.select_one("#change-confirm")) == "Continue to Stripe"
