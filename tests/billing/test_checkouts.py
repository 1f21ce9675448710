"""One open Checkout per team, one paying subscription per team, and a subscription that is
unpaid, paused or paid by bank debit handled as Stripe documents it. Over HTTP against
the fake (sessions expire as Stripe's do; see tests/fakes/stripe_api.py)."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa

from app.billing import current_billing
from app.billing.plan_changes import choose_plan
from app.extensions import db
from app.models import BillingIssue
from tests.billing.helpers import (
    CANCEL_URL,
    SUCCESS_URL,
    checkout,
    choose,
    deliver,
    stripe_settings,
    team_row,
)
from tests.fakes.stripe import FakeStripe
from tests.helpers import race
from tests.pages.helpers import Auth, soup, text
from tests.support import build_app, teardown_app


@pytest.fixture
def app(tmp_path, fake: FakeStripe, prices):
    app = build_app(tmp_path, **stripe_settings(fake, prices))
    yield app
    teardown_app(app)


@pytest.fixture
def owner(client, factory):
    someone = factory.member("free")
    Auth(client).sign_in(someone)
    return someone


def session_of(response) -> str:
    assert response.status_code == 303 and "checkout.stripe.com" in response.location
    return urlsplit(response.location).path.rsplit("/", 1)[-1]


def statuses(fake: FakeStripe) -> list[str]:
    with fake.lock:
        return sorted(session["status"] for session in fake.sessions.values())


def test_choosing_again_before_paying_expires_the_first_checkout(app, client, fake, owner):
    first = session_of(choose(client, owner.team_id, "growth"))
    second = session_of(choose(client, owner.team_id, "scale"))

    assert first != second
    assert (fake.sessions[first]["status"], fake.sessions[second]["status"]) == ("expired", "open")
    [expired] = fake.requests_to("POST", f"/v1/checkout/sessions/{first}/expire")
    assert expired is not None
    assert team_row(app, owner.team_id).billing_checkout_id == second


def test_a_checkout_paid_before_the_webhook_is_not_opened_twice(app, client, fake, owner):
    first = session_of(choose(client, owner.team_id, "growth"))
    fake.complete_checkout(first)  # paid; Stripe's webhook has not arrived yet

    again = choose(client, owner.team_id, "growth")

    assert again.status_code == 303 and again.location.endswith(f"/teams/{owner.team_id}/plans")
    assert "A payment for this team was just made" in text(soup(client.get(again.location)))
    assert len(fake.requests_to("POST", "/v1/checkout/sessions")) == 1


def test_two_owners_choosing_at_once_leave_one_checkout_that_can_be_paid(app, factory, fake):
    owner = factory.member("free")
    second = factory.member(team_id=owner.team_id, role="owner")

    def open_checkout(actor):
        with app.test_request_context():
            choice = choose_plan(
                actor, "growth", success_url=SUCCESS_URL, cancel_url=CANCEL_URL, return_url="x"
            )
        return choice.redirect_url

    outcomes = race(app, [(owner, open_checkout), (second, open_checkout)])

    assert statuses(fake).count("open") == 1, (outcomes, statuses(fake))
    [url] = [o for o in outcomes if o and o.startswith("https://checkout.stripe.com/")]
    assert team_row(app, owner.team_id).billing_checkout_id == url.rsplit("/", 1)[-1]


def test_a_second_paid_subscription_for_a_team_is_cancelled_and_flagged(app, client, fake, owner):
    # Two sessions paid at Stripe (made straight through the provider, as a second tab or an
    # older app would have): the second subscription must not keep billing unseen.
    with app.app_context():
        billing = current_billing()
        sessions = [
            billing.start_checkout(owner.team_id, plan, None, owner.email, SUCCESS_URL, CANCEL_URL)
            for plan in ("growth", "scale")
        ]
    paid = [fake.complete_checkout(s.session_id) for s in sessions]
    completed = fake.events_of("checkout.session.completed")

    assert deliver(client, completed[0]).json["outcome"] == "applied"
    answer = deliver(client, completed[1])

    assert answer.json["outcome"] == "duplicate_subscription"
    assert fake.subscriptions[paid[1]["subscription"]]["status"] == "canceled"
    assert fake.subscriptions[paid[0]["subscription"]]["status"] == "active"
    team = team_row(app, owner.team_id)
    assert (team.plan, team.billing_subscription_id) == ("growth", paid[0]["subscription"])
    with app.app_context():
        [issue] = db.session.scalars(sa.select(BillingIssue)).all()
        assert issue.kind == "duplicate_subscription"
        assert paid[1]["subscription"] in issue.detail and "was cancelled" in issue.detail
    # Its deletion, when Stripe reports it, changes nothing for the team.
    deleted = fake.events_of("customer.subscription.deleted")[-1]
    assert deliver(client, deleted).json["outcome"] == "ignored"
    assert team_row(app, owner.team_id).plan == "growth"


def test_an_unpaid_subscription_is_kept_and_paid_in_the_portal_not_bought_again(
    app, client, fake, owner
):
    session = checkout(client, fake, owner)
    fake.update_subscription(session["subscription"], status="unpaid")
    assert deliver(client, fake.events_of("customer.subscription.updated")[-1]).status_code == 200

    team = team_row(app, owner.team_id)
    assert (team.plan, team.billing_subscription_id, team.billing_status) == (
        "free",
        session["subscription"],
        "unpaid",
    )
    page = soup(client.get(f"/teams/{owner.team_id}/plans"))
    assert text(page.select_one("#billing-unsettled")).startswith(
        "The subscription's last invoice is unpaid, so the team is on the Free plan"
    )
    again = choose(client, owner.team_id, "growth")
    assert again.location.startswith("https://billing.stripe.com/p/session/")
    assert len(fake.requests_to("POST", "/v1/checkout/sessions")) == 1  # no second one
    # Paid in the portal: Stripe says active again, and the plan comes back.
    fake.update_subscription(session["subscription"], status="active")
    assert deliver(client, fake.events_of("customer.subscription.updated")[-1]).status_code == 200
    team = team_row(app, owner.team_id)
    assert (team.plan, team.billing_status) == ("growth", "active")


def test_a_paused_subscription_stops_the_paid_plan_until_it_is_resumed(app, client, fake, owner):
    session = checkout(client, fake, owner)
    fake.update_subscription(session["subscription"], status="paused")
    deliver(client, fake.events_of("customer.subscription.updated")[-1])

    team = team_row(app, owner.team_id)
    assert (team.plan, team.billing_subscription_id) == ("free", session["subscription"])
    page = soup(client.get(f"/teams/{owner.team_id}/plans"))
    assert "The subscription is paused" in text(page.select_one("#billing-unsettled"))
    fake.update_subscription(session["subscription"], status="active")
    deliver(client, fake.events_of("customer.subscription.updated")[-1])
    assert team_row(app, owner.team_id).plan == "growth"


def test_a_bank_debit_that_succeeds_later_gives_the_plan(app, client, fake, owner):
    session_id = session_of(choose(client, owner.team_id, "scale"))
    fake.complete_checkout(session_id, status="incomplete", payment_status="unpaid")
    assert deliver(client, fake.events_of("checkout.session.completed")[-1]).status_code == 200
    assert team_row(app, owner.team_id).plan == "free"  # nothing paid yet

    fake.settle_async_payment(session_id, succeeded=True)
    answer = deliver(client, fake.events_of("checkout.session.async_payment_succeeded")[-1])

    assert answer.json["outcome"] == "applied"
    team = team_row(app, owner.team_id)
    assert (team.plan, team.billing_checkout_id) == ("scale", None)


def test_a_bank_debit_that_fails_changes_nothing_and_says_so(app, client, fake, owner):
    session_id = session_of(choose(client, owner.team_id, "scale"))
    fake.complete_checkout(session_id, status="incomplete", payment_status="unpaid")
    deliver(client, fake.events_of("checkout.session.completed")[-1])

    fake.settle_async_payment(session_id, succeeded=False)
    answer = deliver(client, fake.events_of("checkout.session.async_payment_failed")[-1])

    assert answer.json["outcome"] == "applied"
    team = team_row(app, owner.team_id)
    assert (team.plan, team.billing_subscription_id, team.billing_status) == (
        "free",
        None,
        "payment_failed",
    )
    page = soup(client.get(f"/teams/{owner.team_id}/plans"))
    assert text(page.select_one("#billing-unsettled")).startswith(
        "The bank payment for the plan failed"
    )
    # Choosing again opens a new checkout (there is no subscription to manage).
    assert "checkout.stripe.com" in choose(client, owner.team_id, "scale").location
