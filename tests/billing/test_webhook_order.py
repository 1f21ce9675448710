"""Stripe's events applied in Stripe's order whatever order (or moment) they arrive in: under
the team's row lock, an ended subscription stays ended, and a customer that is another
team's is kept for the operator rather than dropped. Over HTTP against the fake."""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import sqlalchemy as sa

from app.billing import subscription_events
from app.extensions import db
from app.models import BillingIssue, WebhookEvent
from tests.billing.helpers import checkout, deliver, stripe_settings, team_row
from tests.fakes.stripe import FakeStripe, make_event
from tests.pages.helpers import Auth
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


def subscription_at(fake: FakeStripe, sub_id: str, price: str, **changes) -> dict:
    """The subscription as an event would carry it, on `price`, with `changes`."""
    with fake.lock:
        sub = {k: v for k, v in fake.subscriptions[sub_id].items() if not k.startswith("_")}
        sub = {**sub, "items": {"object": "list", "data": [dict(sub["items"]["data"][0])]}}
        sub["items"]["data"][0]["price"] = dict(fake.prices[price])
    return {**sub, **changes}


def test_a_deletion_and_an_older_update_delivered_at_once_leave_the_team_on_free(
    app, client, fake, owner, prices, monkeypatch
):
    """Both are read before either is written unless the team's row is locked first: then
    the older update, committed last, would put the team on Scale with no subscription."""
    session = checkout(client, fake, owner)
    sub_id, now = session["subscription"], int(time.time())
    deleted = make_event(
        "customer.subscription.deleted",
        subscription_at(fake, sub_id, prices["growth"], status="canceled"),
        created=now + 10,
    )
    updated = make_event(
        "customer.subscription.updated",
        subscription_at(fake, sub_id, prices["scale"], status="active"),
        created=now + 5,
    )
    barrier, real = threading.Barrier(2, timeout=1.0), subscription_events.change_plan

    def paced(team, plan, *args, **kwargs):
        # Both deliveries meet here when nothing serialises them.
        with contextlib.suppress(threading.BrokenBarrierError):
            barrier.wait()
        if plan != "free":
            time.sleep(0.3)  # the older update commits last
        return real(team, plan, *args, **kwargs)

    monkeypatch.setattr(subscription_events, "change_plan", paced)
    with ThreadPoolExecutor(2) as pool:
        answers = list(pool.map(lambda e: deliver(app.test_client(), e), [deleted, updated]))

    assert [a.status_code for a in answers] == [200, 200]
    # The deletion applies; the update too if it took the lock first, else it is too old.
    assert answers[0].json["outcome"] == "applied"
    assert answers[1].json["outcome"] in ("applied", "ignored")
    team = team_row(app, owner.team_id)
    assert (team.plan, team.billing_subscription_id, team.billing_status) == (
        "free",
        None,
        "canceled",
    )


def test_an_update_sent_in_the_same_second_as_the_deletion_does_not_resubscribe(
    app, client, fake, owner, prices
):
    session = checkout(client, fake, owner)
    sub_id, now = session["subscription"], int(time.time())
    deleted = make_event(
        "customer.subscription.deleted",
        subscription_at(fake, sub_id, prices["growth"], status="canceled"),
        created=now,
    )
    active = make_event(
        "customer.subscription.updated",
        subscription_at(fake, sub_id, prices["growth"], status="active"),
        created=now,
    )

    assert deliver(client, deleted).json["outcome"] == "applied"
    assert deliver(client, active).json["outcome"] == "ignored"
    team = team_row(app, owner.team_id)
    assert (team.plan, team.billing_subscription_id) == ("free", None)


def test_an_ended_subscription_stays_ended_even_for_an_event_stamped_later(
    app, client, fake, owner, prices
):
    session = checkout(client, fake, owner)
    sub_id, now = session["subscription"], int(time.time())
    ended = subscription_at(fake, sub_id, prices["growth"], status="incomplete_expired")
    assert deliver(client, make_event("customer.subscription.updated", ended, created=now))
    revived = subscription_at(fake, sub_id, prices["scale"], status="active")
    later = make_event("customer.subscription.updated", revived, created=now + 30)

    assert deliver(client, later).json["outcome"] == "ignored"
    assert team_row(app, owner.team_id).plan == "free"


def test_a_customer_that_is_another_teams_is_kept_for_the_operator_and_logged(
    app, client, fake, owner, caplog, runner, factory
):
    first = checkout(client, fake, owner)
    other = factory.member("free")
    # A checkout for the other team that Stripe completed with the first team's customer.
    event = make_event(
        "checkout.session.completed",
        {
            "id": "cs_test_other",
            "object": "checkout.session",
            "mode": "subscription",
            "client_reference_id": other.team_id,
            "metadata": {"team_id": other.team_id, "plan": "scale"},
            "customer": first["customer"],
            "subscription": "sub_other",
            "payment_status": "paid",
        },
    )

    with caplog.at_level(logging.ERROR, logger="app"):
        answer = deliver(client, event)

    assert (answer.status_code, answer.json["outcome"], answer.json["applied"]) == (
        200,
        "conflict",
        False,
    )
    assert (team_row(app, other.team_id).plan, team_row(app, owner.team_id).plan) == (
        "free",
        "growth",
    )
    assert any(
        r.levelname == "ERROR" and first["customer"] in r.getMessage() for r in caplog.records
    )
    with app.app_context():
        [issue] = db.session.scalars(sa.select(BillingIssue)).all()
        assert (issue.kind, issue.event_id, issue.team_id) == (
            "customer_conflict",
            event["id"],
            other.team_id,
        )
        assert db.session.get(WebhookEvent, ("stripe", event["id"])) is not None
    listed = runner.invoke(args=["billing", "issues"])
    assert listed.exit_code == 0
    lines = listed.output.strip().splitlines()
    assert lines[-1] == "1 billing issue"
    assert "customer_conflict" in lines[0] and first["customer"] in lines[0]
    # Delivered again, it is not applied twice nor listed twice.
    assert deliver(client, event).json["outcome"] == "duplicate"
    assert runner.invoke(args=["billing", "issues"]).output.strip().endswith("1 billing issue")
