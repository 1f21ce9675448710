"""Signed bodies that are not the event Stripe documents are 400 and change nothing; a
signature stamped far in the future is refused like one from the past."""

from __future__ import annotations

import json
import time

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import WebhookEvent
from tests.billing.helpers import WEBHOOK_SECRET, checkout, stripe_settings, team_row
from tests.fakes.stripe import FakeStripe, sign, signed
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


def post(client, payload: bytes, header: str):
    return client.post(
        "/webhooks/stripe",
        data=payload,
        headers={"Stripe-Signature": header, "Content-Type": "application/json"},
    )


def deletion(fake: FakeStripe, session: dict) -> dict:
    fake.cancel_subscription(session["subscription"])
    return fake.events_of("customer.subscription.deleted")[-1]


def _metadata_list(event):
    event["data"]["object"]["metadata"] = ["team_id", "x"]


def _created_text(event):
    event["created"] = "yesterday"


def _created_huge(event):
    event["created"] = 10**18


def _created_bool(event):
    event["created"] = True


def _customer_list(event):
    event["data"]["object"]["customer"] = ["cus_1"]


def _status_number(event):
    event["data"]["object"]["status"] = 7


def _price_list(event):
    event["data"]["object"]["items"]["data"][0]["price"] = ["price_growth"]


def _type_number(event):
    event["type"] = 5


@pytest.mark.parametrize(
    "spoil",
    [
        _metadata_list,
        _created_text,
        _created_huge,
        _created_bool,
        _customer_list,
        _status_number,
        _type_number,
    ],
)
def test_a_signed_event_with_a_field_not_as_stripe_sends_it_is_400(app, client, fake, owner, spoil):
    event = deletion(fake, checkout(client, fake, owner))
    spoil(event)
    payload, header = signed(event, WEBHOOK_SECRET)

    answer = post(client, payload, header)

    assert answer.status_code == (200 if spoil is _type_number else 400), answer.json
    assert answer.json["success"] is (spoil is _type_number)
    assert team_row(app, owner.team_id).plan == "growth"
    with app.app_context():
        applied = db.session.scalars(sa.select(WebhookEvent.event_id)).all()
        assert event["id"] not in applied


@pytest.mark.parametrize("items", [None, "everything", {"data": "x"}, {"data": [["x"]]}, "price"])
def test_items_not_as_stripe_sends_them_read_as_no_plan_we_sell(app, client, fake, owner, items):
    session = checkout(client, fake, owner)
    fake.update_subscription(session["subscription"], status="active")
    event = fake.events_of("customer.subscription.updated")[-1]
    if items == "price":
        _price_list(event)
    else:
        event["data"]["object"]["items"] = items

    answer = post(client, *signed(event, WEBHOOK_SECRET))

    assert answer.status_code == 200
    assert team_row(app, owner.team_id).plan == "growth"


@pytest.mark.parametrize(
    "payload",
    [
        b"[1, 2, 3]",
        b'"an event"',
        b"null",
        b"[" * 5000 + b"]" * 5000,
        b'{"a": ' * 100 + b"1" + b"}" * 100,
        json.dumps({"id": "evt_1", "type": "customer.subscription.deleted"}).encode(),
        json.dumps({"id": 5, "type": "customer.subscription.deleted", "created": 1}).encode(),
    ],
)
def test_a_signed_body_that_is_not_an_event_is_400(app, client, payload):
    answer = post(client, payload, sign(payload, WEBHOOK_SECRET))

    assert answer.status_code == 400
    assert answer.json["error"]["code"] == "invalid_request"


def test_a_signature_from_the_future_is_refused_like_one_from_the_past(app, client, fake, owner):
    event = deletion(fake, checkout(client, fake, owner))

    for stamp in (int(time.time()) + 3600, int(time.time()) - 3600):
        answer = post(client, *signed(event, WEBHOOK_SECRET, timestamp=stamp))
        assert answer.status_code == 400
        assert answer.json["error"]["code"] == "invalid_signature"
    assert team_row(app, owner.team_id).plan == "growth"
    # A clock a minute ahead is inside the tolerance, as a minute behind is.
    answer = post(client, *signed(event, WEBHOOK_SECRET, timestamp=int(time.time()) + 60))
    assert answer.status_code == 200
    assert team_row(app, owner.team_id).plan == "free"
