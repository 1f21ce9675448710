"""Billing test data and a raw call to the fake, shared by the billing tests."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlsplit

import requests

from app.billing.stripe_billing import StripeBilling
from app.extensions import db
from app.models import Team
from tests.fakes.stripe import FakeStripe, signed
from tests.pages.helpers import csrf_token

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


def choose(client, team_id: str, plan: str):
    token = csrf_token(client, f"/teams/{team_id}/plans")
    return client.post(f"/teams/{team_id}/plans", data={"plan": plan, "csrf_token": token})


def deliver(client, event: dict, secret: str = WEBHOOK_SECRET):
    payload, header = signed(event, secret)
    return client.post(
        "/webhooks/stripe",
        data=payload,
        headers={"Stripe-Signature": header, "Content-Type": "application/json"},
    )


def team_row(app, team_id: str) -> Team:
    with app.app_context():
        team = db.session.get(Team, team_id)
        db.session.expunge(team)
        return team


def checkout(client, fake: FakeStripe, owner, plan: str = "growth") -> dict:
    """Choose a plan, pay at the fake, deliver Stripe's events; the completed session."""
    response = choose(client, owner.team_id, plan)
    assert response.status_code == 303
    session_id = urlsplit(response.location).path.rsplit("/", 1)[-1]
    session = fake.complete_checkout(session_id)
    for event_type in ("customer.subscription.created", "checkout.session.completed"):
        answer = deliver(client, fake.events_of(event_type)[-1])
        assert answer.status_code == 200
    return session
