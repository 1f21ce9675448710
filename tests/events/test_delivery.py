"""Deliveries to a real receiver on 127.0.0.1 that verifies them with the Standard Webhooks
library: retried until it answers, one event once with one webhook-id, signed with both
secrets during a rotation's overlap, and an endpoint failing for three days turned off."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
import sqlalchemy as sa
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from app.events.delivery import deliver_due, prune
from app.extensions import db
from app.models import WebhookEndpoint, utcnow
from tests.events.helpers import deliveries, made, tries
from tests.fakes.receiver import Receiver
from tests.helpers import buy, sandbox_number
from tests.pages.helpers import mailbox


@pytest.fixture
def local(app):
    """The receivers here listen on 127.0.0.1: allowed for these tests only."""
    app.config["WEBHOOKS_ALLOW_PRIVATE"] = True
    return app


@pytest.fixture
def receiver():
    with Receiver() as running:
        yield running


def sweep(app, after: timedelta) -> int:
    with app.app_context():
        return deliver_due(utcnow() + after)


def test_an_endpoint_that_fails_twice_then_succeeds_gets_the_event_once(
    local, client, factory, receiver
):
    owner = factory.member("growth")
    _endpoint, secret = made(client, owner, receiver.url)
    receiver.secrets = [secret]
    receiver.answers = [500, 500]
    assert buy(client, owner, sandbox_number("415", 0)).status_code == 200
    assert [r.status for r in receiver.received] == [500]  # sent within the purchase's commit
    assert sweep(local, timedelta(seconds=1)) == 0  # the first retry waits 5 seconds
    assert sweep(local, timedelta(seconds=6)) == 1
    assert sweep(local, timedelta(minutes=1)) == 0  # the next waits 5 minutes more
    assert sweep(local, timedelta(minutes=7)) == 1
    assert sweep(local, timedelta(days=2)) == 0  # delivered: never sent again

    assert [r.status for r in receiver.received] == [500, 500, 200]
    assert all(r.verified for r in receiver.received)
    assert len({r.headers["webhook-id"] for r in receiver.received}) == 1
    assert len({r.body for r in receiver.received}) == 1  # the same bytes every time
    assert len(receiver.handled) == 1
    event = next(iter(receiver.handled.values()))
    assert event["type"] == "number.bought"
    assert event["data"]["phoneNumber"] == sandbox_number("415", 0)
    assert event["data"]["teamId"] == owner.team_id
    [delivery] = deliveries(local)
    assert (delivery.status, delivery.attempts) == ("delivered", 3)
    log = tries(local, delivery.id)
    assert [(t.status_code, t.succeeded) for t in log] == [(500, False), (500, False), (200, True)]
    assert log[0].response_excerpt == "status 500\ufffd from the receiver"


def test_the_signature_verifies_with_the_standard_webhooks_library(
    local, client, factory, receiver
):
    owner = factory.member("growth")
    _endpoint, secret = made(client, owner, receiver.url)
    buy(client, owner, sandbox_number("415", 0))
    [request] = receiver.received
    assert Webhook(secret).verify(request.body, request.headers)["type"] == "number.bought"
    with pytest.raises(WebhookVerificationError):
        Webhook("whsec_" + "A" * 43 + "=").verify(request.body, request.headers)
    tampered = request.body.replace(b"number.bought", b"number.bough!")
    with pytest.raises(WebhookVerificationError):
        Webhook(secret).verify(tampered, request.headers)
    assert request.headers["content-type"] == "application/json"
    assert request.headers["webhook-signature"].startswith("v1,")
    assert request.headers["host"] == f"127.0.0.1:{receiver.port}"


def test_a_rotation_signs_with_both_secrets_until_the_overlap_ends(
    local, client, factory, receiver
):
    owner = factory.member("growth")
    endpoint, old = made(client, owner, receiver.url, ["number.bought", "number.released"])
    rotated = client.post(
        f"/api/webhook-endpoints/{endpoint}/rotate-secret", json={}, headers=owner.headers
    )
    assert rotated.status_code == 200
    assert rotated.headers["Cache-Control"] == "no-store"
    new = rotated.get_json()["secret"]
    assert new != old and new.startswith("whsec_")
    buy(client, owner, sandbox_number("415", 0))
    [request] = receiver.received
    assert len(request.headers["webhook-signature"].split(" ")) == 2
    for secret in (old, new):  # a receiver still on the old secret, and one already moved
        assert Webhook(secret).verify(request.body, request.headers)["type"] == "number.bought"
    with local.app_context():
        row = db.session.get(WebhookEndpoint, endpoint)
        row.previous_secret_until = utcnow() - timedelta(seconds=1)
        db.session.commit()
    client.post(f"/api/webhook-endpoints/{endpoint}/test", json={}, headers=owner.headers)
    last = receiver.received[-1]
    assert len(last.headers["webhook-signature"].split(" ")) == 1
    assert Webhook(new).verify(last.body, last.headers)["type"] == "webhook.test"
    with pytest.raises(WebhookVerificationError):
        Webhook(old).verify(last.body, last.headers)


def test_nothing_is_sent_for_events_the_endpoint_did_not_choose(local, client, factory, receiver):
    owner = factory.member("growth")
    made(client, owner, receiver.url, ["plan.changed"])
    buy(client, owner, sandbox_number("415", 0))
    assert receiver.received == [] and deliveries(local) == []


def test_an_endpoint_failing_for_three_days_is_turned_off_and_the_owners_told(
    local, client, factory, receiver
):
    owner = factory.member("growth")
    endpoint, _secret = made(client, owner, receiver.url)
    receiver.answers = [500] * 10
    buy(client, owner, sandbox_number("415", 0))
    with local.app_context():
        row = db.session.get(WebhookEndpoint, endpoint)
        assert row.failing_since is not None and row.enabled
        row.failing_since = utcnow() - timedelta(days=3, minutes=1)
        db.session.commit()
    assert sweep(local, timedelta(seconds=6)) == 1
    with local.app_context():
        row = db.session.get(WebhookEndpoint, endpoint)
        assert row.enabled is False
        assert row.disabled_reason == "Every try to deliver to it failed for 3 days."
        team_events = db.session.execute(sa.text("SELECT webhook_events FROM teams")).scalar()
        assert team_events == ""
    [email] = [m for m in mailbox(local) if m.to == [owner.email]]
    assert "no longer sends events to" in email.body and receiver.url in email.body
    assert sweep(local, timedelta(minutes=10)) == 1  # its waiting delivery fails, unsent
    assert len(receiver.received) == 2
    assert deliveries(local)[0].status == "failed"
    # Nothing more is queued for it while it is off.
    buy(client, owner, sandbox_number("415", 1))
    assert len(deliveries(local)) == 1


def test_410_gone_turns_the_endpoint_off_at_once(local, client, factory, receiver):
    owner = factory.member("growth")
    endpoint, _secret = made(client, owner, receiver.url)
    receiver.answers = [410]
    buy(client, owner, sandbox_number("415", 0))
    answer = client.get(f"/api/webhook-endpoints/{endpoint}", headers=owner.headers).get_json()
    assert answer["endpoint"]["enabled"] is False
    assert "410 Gone" in answer["endpoint"]["disabledReason"]
    assert deliveries(local)[0].status == "failed"


def test_a_delivery_is_given_up_after_24_hours_and_resend_starts_again(
    local, client, factory, receiver
):
    owner = factory.member("growth")
    endpoint, receiver.secrets = made(client, owner, receiver.url)
    receiver.secrets = [receiver.secrets]
    receiver.answers = [500] * 3
    buy(client, owner, sandbox_number("415", 0))
    assert sweep(local, timedelta(hours=23, minutes=59)) == 1  # the last try, at the end
    assert sweep(local, timedelta(hours=25)) == 1
    [delivery] = deliveries(local)
    assert delivery.status == "failed" and delivery.attempts == 3
    resent = client.post(
        f"/api/webhook-endpoints/{endpoint}/deliveries/{delivery.id}/resend",
        json={},
        headers=owner.headers,
    )
    assert resent.status_code == 202, resent.get_json()
    assert resent.get_json()["delivery"]["status"] == "delivered"
    ids = {r.headers["webhook-id"] for r in receiver.received}
    assert len(ids) == 1 and len(receiver.received) == 4
    log = client.get(f"/api/webhook-endpoints/{endpoint}/deliveries", headers=owner.headers)
    [shown] = log.get_json()["deliveries"]
    assert [t["statusCode"] for t in shown["tries"]] == [200, 500, 500, 500]
    assert shown["eventId"] == ids.pop()


def test_a_receiver_asking_to_wait_is_given_its_time(local, client, factory, receiver):
    owner = factory.member("growth")
    receiver.secrets = [made(client, owner, receiver.url)[1]]
    receiver.answers = [503]
    buy(client, owner, sandbox_number("415", 0))
    assert sweep(local, timedelta(seconds=30)) == 0  # Retry-After: 120
    assert sweep(local, timedelta(seconds=121)) == 1


def test_two_sweeps_at_once_send_a_delivery_once(local, client, factory, receiver):
    owner = factory.member("growth")
    made(client, owner, receiver.url)
    receiver.answers = [500]
    buy(client, owner, sandbox_number("415", 0))
    [delivery] = deliveries(local)
    from app.events.delivery import deliver

    with local.app_context():
        later = utcnow() + timedelta(seconds=6)
        assert deliver(delivery.id, later) is True
        assert deliver(delivery.id, later) is False  # claimed and sent: not due any more
    assert len(receiver.received) == 2


def test_prune_forgets_finished_deliveries_after_30_days(local, client, factory, receiver):
    owner = factory.member("growth")
    receiver.secrets = [made(client, owner, receiver.url)[1]]
    buy(client, owner, sandbox_number("415", 0))
    with local.app_context():
        assert prune(utcnow() + timedelta(days=29)) == 0
        assert prune(utcnow() + timedelta(days=31)) == 1
    assert deliveries(local) == []


def test_the_payload_is_the_standard_webhooks_shape(local, client, factory, receiver):
    owner = factory.member("growth")
    made(client, owner, receiver.url, ["number.bought", "number.active"])
    buy(client, owner, sandbox_number("415", 0))
    bodies = [json.loads(r.body) for r in receiver.received]
    assert [b["type"] for b in bodies] == ["number.bought", "number.active"]
    assert set(bodies[0]) == {"type", "timestamp", "data"}
    assert bodies[0]["data"]["status"] == "active"
    assert bodies[1]["data"]["isTrial"] is False
