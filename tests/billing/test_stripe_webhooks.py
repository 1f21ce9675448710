"""StripeBilling.parse_webhook: signatures checked by Stripe's library, events made plain."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest

from app.billing import (
    CHECKOUT_COMPLETED,
    SUBSCRIPTION_DELETED,
    SUBSCRIPTION_UPDATED,
    BillingError,
    BillingEvent,
    WebhookSignatureError,
)
from app.billing.stripe_billing import StripeBilling
from tests.billing.helpers import CANCEL_URL, EMAIL, SUCCESS_URL, TEAM, WEBHOOK_SECRET, stripe_call
from tests.fakes.stripe import FakeStripe, make_event, sign, signed


@pytest.fixture
def paid(billing: StripeBilling, fake: FakeStripe) -> dict[str, Any]:
    """A growth checkout the customer completed, as the fake's account now holds it."""
    result = billing.start_checkout(TEAM, "growth", None, EMAIL, SUCCESS_URL, CANCEL_URL)
    return fake.complete_checkout(result.session_id)


def parse(billing: StripeBilling, event: dict[str, Any], **sign_options: Any):
    payload, header = signed(event, WEBHOOK_SECRET, **sign_options)
    return billing.parse_webhook(payload, header)


def last(fake: FakeStripe, event_type: str) -> dict[str, Any]:
    return fake.events_of(event_type)[-1]


# -- signatures ----------------------------------------------------------------------


def test_a_correctly_signed_checkout_completion_becomes_a_billing_event(billing, fake, paid):
    event = last(fake, "checkout.session.completed")

    assert parse(billing, event) == BillingEvent(
        event_id=event["id"],
        kind=CHECKOUT_COMPLETED,
        team_id=TEAM,
        plan_key="growth",
        customer_id=paid["customer"],
        subscription_id=paid["subscription"],
        status="paid",
        created=event["created"],
        checkout_id=paid["id"],
    )


def test_a_signature_made_with_another_secret_is_refused(billing, fake, paid):
    payload, header = signed(last(fake, "checkout.session.completed"), "whsec_someone_else")

    with pytest.raises(WebhookSignatureError, match="No signatures found matching"):
        billing.parse_webhook(payload, header)


def test_a_tampered_body_is_refused(billing, fake, paid):
    payload, header = signed(last(fake, "checkout.session.completed"), WEBHOOK_SECRET)
    forged = payload.replace(b'"plan": "growth"', b'"plan": "scale"')
    assert forged != payload

    with pytest.raises(WebhookSignatureError):
        billing.parse_webhook(forged, header)


@pytest.mark.parametrize("header", [None, "", "garbage", "t=abc,v1=00", "t=123"])
def test_a_missing_or_malformed_signature_header_is_refused(billing, fake, paid, header):
    payload, _ = signed(last(fake, "checkout.session.completed"), WEBHOOK_SECRET)

    with pytest.raises(WebhookSignatureError):
        billing.parse_webhook(payload, header)


def test_a_signature_older_than_five_minutes_is_refused(billing, fake, paid):
    event = last(fake, "checkout.session.completed")

    with pytest.raises(WebhookSignatureError, match="tolerance"):
        parse(billing, event, timestamp=int(time.time()) - 310)
    # Just inside the window is fine: the tolerance is 300 s, not off and not tighter.
    assert parse(billing, event, timestamp=int(time.time()) - 280) is not None


def test_a_signature_for_another_timestamp_is_refused(billing, fake, paid):
    payload, _ = signed(last(fake, "checkout.session.completed"), WEBHOOK_SECRET)
    stamp = int(time.time())
    digest = sign(payload, WEBHOOK_SECRET, stamp).split("v1=")[1]

    with pytest.raises(WebhookSignatureError):
        billing.parse_webhook(payload, f"t={stamp - 1},v1={digest}")


def test_a_body_that_is_not_utf8_is_refused(billing):
    payload = b"\xff\xfe not text"
    header = "t={},v1={}".format(int(time.time()), "0" * 64)

    with pytest.raises(WebhookSignatureError, match="not UTF-8"):
        billing.parse_webhook(payload, header)


def test_a_signed_body_that_is_not_json_is_a_billing_error_not_a_signature_error(billing):
    payload = b"this is not json"

    with pytest.raises(BillingError, match="not a JSON event") as caught:
        billing.parse_webhook(payload, sign(payload, WEBHOOK_SECRET))
    assert not isinstance(caught.value, WebhookSignatureError)


# -- which events matter -------------------------------------------------------------


def test_event_types_the_app_does_not_use_are_ignored(billing, fake, paid):
    created = last(fake, "customer.subscription.created")  # sent by Stripe, but not needed

    assert parse(billing, created) is None
    assert parse(billing, make_event("invoice.paid", {"id": "in_1", "object": "invoice"})) is None


def test_a_checkout_not_yet_paid_promises_no_plan(billing, fake):
    result = billing.start_checkout(TEAM, "scale", None, EMAIL, SUCCESS_URL, CANCEL_URL)
    fake.complete_checkout(result.session_id, status="incomplete", payment_status="unpaid")

    event = parse(billing, last(fake, "checkout.session.completed"))

    assert (event.kind, event.team_id, event.plan_key, event.status) == (
        CHECKOUT_COMPLETED,
        TEAM,
        None,
        "unpaid",
    )


def test_a_checkout_needing_no_payment_gives_the_plan(billing, fake):
    result = billing.start_checkout(TEAM, "starter", None, EMAIL, SUCCESS_URL, CANCEL_URL)
    fake.complete_checkout(
        result.session_id, status="trialing", payment_status="no_payment_required"
    )

    assert parse(billing, last(fake, "checkout.session.completed")).plan_key == "starter"


def test_a_one_off_payment_checkout_is_ignored(billing, fake, paid):
    event = last(fake, "checkout.session.completed")
    event["data"]["object"]["mode"] = "payment"

    assert parse(billing, event) is None


def test_a_checkout_naming_a_plan_we_do_not_sell_promises_no_plan(billing, fake, paid):
    event = last(fake, "checkout.session.completed")
    event["data"]["object"]["metadata"]["plan"] = "enterprise"

    assert parse(billing, event).plan_key is None


def test_an_event_without_an_object_is_a_billing_error(billing):
    event = make_event("customer.subscription.updated", {})
    event["data"] = {}

    with pytest.raises(BillingError, match="has no data.object"):
        parse(billing, event)


# -- subscription changes ------------------------------------------------------------


def test_a_plan_change_in_the_portal_maps_the_new_price_to_its_plan(billing, fake, paid, prices):
    sub = fake.subscriptions[paid["subscription"]]
    item = sub["items"]["data"][0]["id"]
    answer = stripe_call(
        fake,
        "POST",
        f"/v1/subscriptions/{sub['id']}",
        {"items[0][id]": item, "items[0][price]": prices["scale"]},
    )
    assert answer.status_code == 200

    event = parse(billing, last(fake, "customer.subscription.updated"))

    assert event == BillingEvent(
        event_id=event.event_id,
        kind=SUBSCRIPTION_UPDATED,
        team_id=TEAM,
        plan_key="scale",
        customer_id=paid["customer"],
        subscription_id=paid["subscription"],
        status="active",
        created=event.created,
    )


@pytest.mark.parametrize(
    ("status", "plan"),
    [
        ("active", "growth"),
        ("trialing", "growth"),
        ("past_due", "growth"),  # Stripe is still retrying the card
        ("canceled", "free"),
        ("unpaid", "free"),
        ("incomplete_expired", "free"),
        ("incomplete", None),  # the first payment is still pending
        ("paused", "free"),  # a trial ended with no card: nothing is paid until resumed
    ],
)
def test_a_subscription_status_maps_to_a_plan(billing, fake, paid, status, plan):
    fake.update_subscription(paid["subscription"], status=status)

    event = parse(billing, last(fake, "customer.subscription.updated"))

    assert (event.kind, event.status, event.plan_key) == (SUBSCRIPTION_UPDATED, status, plan)


def test_a_deleted_subscription_means_the_free_plan(billing, fake, paid):
    answer = stripe_call(fake, "DELETE", f"/v1/subscriptions/{paid['subscription']}")
    assert answer.json()["status"] == "canceled"

    event = parse(billing, last(fake, "customer.subscription.deleted"))

    assert (event.kind, event.team_id, event.plan_key, event.status) == (
        SUBSCRIPTION_DELETED,
        TEAM,
        "free",
        "canceled",
    )
    assert (event.customer_id, event.subscription_id) == (paid["customer"], paid["subscription"])


def test_a_subscription_at_a_price_we_do_not_sell_promises_no_plan(billing, fake, paid):
    legacy = fake.add_price("price_legacy_plan")
    sub = fake.subscriptions[paid["subscription"]]
    change = {"items[0][id]": sub["items"]["data"][0]["id"], "items[0][price]": legacy}
    stripe_call(fake, "POST", f"/v1/subscriptions/{sub['id']}", change)

    assert parse(billing, last(fake, "customer.subscription.updated")).plan_key is None


def test_a_subscription_made_outside_checkout_has_no_team_but_names_the_customer(
    billing, fake, paid
):
    fake.update_subscription(paid["subscription"], metadata={})

    event = parse(billing, last(fake, "customer.subscription.updated"))

    assert event.team_id is None
    assert event.customer_id == paid["customer"]
    assert event.plan_key == "growth"


def test_an_expanded_customer_is_read_by_its_id(billing, fake, paid):
    sub = fake.update_subscription(paid["subscription"], status="active")
    sub["customer"] = {"id": paid["customer"], "object": "customer"}
    event = make_event("customer.subscription.updated", sub)

    assert parse(billing, event).customer_id == paid["customer"]


def test_events_are_read_from_the_exact_bytes_stripe_signed(billing, fake, paid):
    # Compact JSON (not the pretty-printed form signed() makes) verifies just as well.
    event = last(fake, "checkout.session.completed")
    payload = json.dumps(event, separators=(",", ":")).encode()

    parsed = billing.parse_webhook(payload, sign(payload, WEBHOOK_SECRET))

    assert parsed is not None and parsed.event_id == event["id"]


def test_a_deleted_subscription_is_free_whatever_status_it_shows(billing, fake, paid):
    sub = fake.update_subscription(paid["subscription"], status="active")

    event = parse(billing, make_event("customer.subscription.deleted", sub))

    assert (event.kind, event.plan_key) == (SUBSCRIPTION_DELETED, "free")
