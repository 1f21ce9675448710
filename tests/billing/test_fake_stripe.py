"""The fake itself: Stripe's wire formats, auth, idempotency and faults, as Stripe does them."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests
import stripe

from app.billing import SUBSCRIPTION_DELETED
from tests.billing.helpers import WEBHOOK_SECRET, stripe_call
from tests.fakes.stripe import FakeStripe, deliver, make_event, sign
from tests.fakes.stripe_wire import decode_form
from tests.support import wait_until

SESSIONS = "/v1/checkout/sessions"


def session_form(price: str, **extra: str) -> dict[str, str]:
    return {
        "mode": "subscription",
        "line_items[0][price]": price,
        "line_items[0][quantity]": "1",
        "success_url": "https://app.example.com/done",
        **extra,
    }


def test_bracketed_form_keys_decode_to_nested_params():
    body = (
        "mode=subscription&line_items[0][price]=price_a&line_items[0][quantity]=1"
        "&line_items[1][price]=price_b&metadata[team_id]=team_1&metadata[note]="
        "&expand[]=customer&expand[]=subscription"
    )

    assert decode_form(body) == {
        "mode": "subscription",
        "line_items": [{"price": "price_a", "quantity": "1"}, {"price": "price_b"}],
        "metadata": {"team_id": "team_1", "note": ""},
        "expand": ["customer", "subscription"],
    }


def test_sign_matches_stripes_own_signer():
    payload = '{"id": "evt_1", "object": "event"}'

    ours = sign(payload, WEBHOOK_SECRET, timestamp=1700000000)

    assert ours == stripe.WebhookSignature.generate_signature_header(
        payload, WEBHOOK_SECRET, timestamp=1700000000
    )


@pytest.mark.parametrize(
    ("authorization", "message"),
    [
        (None, "You did not provide an API key"),
        ("Bearer sk_test_wrong_key", "Invalid API Key provided: sk_test_****_key"),
        ("Basic c2tfdGVzdF93cm9uZzo=", "Invalid API Key provided"),
    ],
)
def test_requests_without_the_secret_key_are_401(fake, authorization, message):
    headers = {"Authorization": authorization} if authorization else {}
    answer = requests.post(fake.base_url + "/v1/customers", headers=headers, timeout=5)

    assert answer.status_code == 401
    error = answer.json()["error"]
    assert error["type"] == "invalid_request_error" and error["message"].startswith(message)
    assert fake.customers == {}


def test_the_key_as_a_basic_auth_user_is_accepted(fake):
    answer = requests.post(fake.base_url + "/v1/customers", auth=(fake.api_key, ""), timeout=5)

    assert answer.status_code == 200 and answer.json()["object"] == "customer"


def test_an_unknown_price_is_stripes_400_with_the_param(fake):
    answer = stripe_call(fake, "POST", SESSIONS, session_form("price_nope"))

    assert answer.status_code == 400
    assert answer.json() == {
        "error": {
            "type": "invalid_request_error",
            "code": "resource_missing",
            "doc_url": "https://stripe.com/docs/error-codes/resource-missing",
            "message": "No such price: 'price_nope'",
            "param": "line_items[0][price]",
        }
    }


@pytest.mark.parametrize(
    ("form", "param"),
    [
        ({"mode": ""}, "mode"),
        ({"mode": "rental"}, "mode"),
        ({"line_items[0][price]": ""}, "line_items[0]"),
        ({"line_items[0][quantity]": "many"}, "line_items[0][quantity]"),
        ({"customer": "cus_nope"}, "customer"),
    ],
)
def test_checkout_sessions_are_validated(fake, prices, form, param):
    answer = stripe_call(fake, "POST", SESSIONS, {**session_form(prices["growth"]), **form})

    assert answer.status_code == 400 and answer.json()["error"]["param"] == param
    assert fake.sessions == {}


def test_a_one_time_price_cannot_start_a_subscription(fake):
    once = fake.add_price(interval=None)

    answer = stripe_call(fake, "POST", SESSIONS, session_form(once))

    assert answer.status_code == 400 and "recurring price" in answer.json()["error"]["message"]


def test_a_session_can_be_read_back(fake, prices):
    created = stripe_call(fake, "POST", SESSIONS, session_form(prices["growth"])).json()

    read = stripe_call(fake, "GET", f"{SESSIONS}/{created['id']}")
    missing = stripe_call(fake, "GET", f"{SESSIONS}/cs_test_nope")

    assert read.json() == created and "_line_items" not in created
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "resource_missing"


def test_the_same_idempotency_key_replays_the_first_answer(fake, prices):
    form, key = session_form(prices["growth"]), {"Idempotency-Key": "k-1"}

    first = stripe_call(fake, "POST", SESSIONS, form, key)
    again = stripe_call(fake, "POST", SESSIONS, form, key)

    assert again.json() == first.json()
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.headers["Original-Request"] == first.headers["Request-Id"]
    assert len(fake.sessions) == 1


def test_the_same_key_with_other_params_is_an_idempotency_error(fake, prices):
    stripe_call(fake, "POST", SESSIONS, session_form(prices["growth"]), {"Idempotency-Key": "k-2"})

    other = stripe_call(
        fake, "POST", SESSIONS, session_form(prices["scale"]), {"Idempotency-Key": "k-2"}
    )

    assert other.status_code == 400 and other.json()["error"]["type"] == "idempotency_error"
    assert len(fake.sessions) == 1


def test_a_key_still_in_flight_is_a_409(fake, prices):
    form, key = session_form(prices["growth"]), {"Idempotency-Key": "k-3"}
    answered = threading.Event()
    fake.fail("POST", SESSIONS, until=answered)  # in flight until the second one is answered
    slow = threading.Thread(target=stripe_call, args=(fake, "POST", SESSIONS, form, key))
    slow.start()
    try:
        wait_until(lambda: fake.requests_to("POST", SESSIONS))
        second = stripe_call(fake, "POST", SESSIONS, form, key)
    finally:
        answered.set()
        slow.join()

    assert second.status_code == 409 and second.json()["error"]["type"] == "idempotency_error"
    assert len(fake.sessions) == 1


def test_an_injected_429_answers_once_with_stripes_body_and_is_not_saved(fake, prices):
    form, key = session_form(prices["growth"]), {"Idempotency-Key": "k-4"}
    fake.fail("POST", "/checkout/sessions", status=429)

    limited = stripe_call(fake, "POST", SESSIONS, form, key)
    retried = stripe_call(fake, "POST", SESSIONS, form, key)

    assert limited.status_code == 429 and limited.json()["error"]["code"] == "rate_limit"
    assert retried.status_code == 200 and "Idempotent-Replayed" not in retried.headers
    assert len(fake.sessions) == 1


def test_a_dropped_connection_gets_no_answer(fake):
    fake.fail("POST", "/v1/customers", drop=True)

    with pytest.raises(requests.ConnectionError):
        stripe_call(fake, "POST", "/v1/customers", {"email": "a@example.com"})
    assert fake.customers == {}


def test_unknown_urls_are_stripes_404(fake):
    answer = stripe_call(fake, "POST", "/v1/charges", {"amount": "100"})

    assert answer.status_code == 404
    assert answer.json()["error"]["message"] == "Unrecognized request URL (POST: /v1/charges)."


def test_a_cancelled_subscription_cannot_be_cancelled_or_changed_again(fake, prices):
    customer = fake.add_customer("a@example.com")
    session = stripe_call(fake, "POST", SESSIONS, session_form(prices["growth"], customer=customer))
    sub = fake.complete_checkout(session.json()["id"])["subscription"]
    path = f"/v1/subscriptions/{sub}"

    assert stripe_call(fake, "DELETE", path).json()["status"] == "canceled"
    again = stripe_call(fake, "DELETE", path)
    change = stripe_call(fake, "POST", path, {"cancel_at_period_end": "true"})
    note = stripe_call(fake, "POST", path, {"metadata[reason]": "moved"})

    assert again.status_code == 404 and again.json()["error"]["message"].startswith("No such")
    assert change.status_code == 400 and "only update" in change.json()["error"]["message"]
    assert note.status_code == 200 and note.json()["metadata"]["reason"] == "moved"
    assert [e["type"] for e in fake.events][-2:] == [
        "customer.subscription.deleted",
        "customer.subscription.updated",
    ]


def test_deliver_posts_the_signed_bytes_the_provider_accepts(billing, fake):
    received: list[tuple[bytes, str | None]] = []

    class Endpoint(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            received.append((body, self.headers.get("Stripe-Signature")))
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Endpoint)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    event = make_event("customer.subscription.deleted", {"id": "sub_1", "status": "canceled"})
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/billing/webhook"
        answer = deliver(url, event, WEBHOOK_SECRET)
    finally:
        server.shutdown()
        server.server_close()
        thread.join()

    assert answer.status_code == 200
    ((body, header),) = received
    parsed = billing.parse_webhook(body, header)
    assert (parsed.kind, parsed.subscription_id, parsed.plan_key) == (
        SUBSCRIPTION_DELETED,
        "sub_1",
        "free",
    )


def test_the_fake_stops_cleanly_while_a_request_sleeps():
    fake = FakeStripe().start()
    fake.fail("POST", "/v1/customers", delay=30)
    outcome: list[BaseException] = []

    def call() -> None:
        try:
            stripe_call(fake, "POST", "/v1/customers")
        except requests.ConnectionError as exc:
            outcome.append(exc)

    caller = threading.Thread(target=call)
    caller.start()
    while not fake.requests:
        threading.Event().wait(0.01)

    fake.stop()
    caller.join(timeout=5)

    assert not caller.is_alive() and len(outcome) == 1
    assert fake.customers == {}
