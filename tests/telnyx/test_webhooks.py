"""POST /webhooks/telnyx: a signed number_order.complete settles the order at once."""

import threading

from werkzeug.serving import make_server

from app.extensions import db
from app.models import PhoneNumber
from tests.helpers import buy
from tests.invariants import assert_accounts_agree
from tests.support import wait_until
from tests.telnyx import NUMBER

HOOK = "/webhooks/telnyx"


def pending_purchase(client, factory, fake) -> str:
    fake.hold_orders = True
    member = factory.member("growth")
    body = buy(client, member, NUMBER).get_json()
    assert body["phoneNumber"]["status"] == "pending"
    return body["phoneNumber"]["id"]


def completed_event(fake, status="success"):
    (order_id,) = fake.orders
    fake.complete_order(order_id, status)
    return fake.order_event(fake.orders[order_id])


def post(client, fake, event, **header_changes):
    body, headers = fake.signed(event)
    headers.update(header_changes)
    return client.post(HOOK, data=body, headers=headers)


def status(app, number_id):
    with app.app_context():
        number = db.session.get(PhoneNumber, number_id)
        return number.status if number else None


def test_a_completed_order_is_active_at_once(app, client, factory, fake):
    number_id = pending_purchase(client, factory, fake)
    calls = len(fake.requests)
    answer = post(client, fake, completed_event(fake))
    assert answer.status_code == 200 and answer.get_json()["applied"] is True
    assert status(app, number_id) == "active"
    # Settled from the event itself; only the owned number's id was looked up, then the
    # number attached to the (new) call application so its calls reach us.
    (owned_id,) = fake.owned
    assert [(r.method, r.path) for r in fake.requests[calls:]] == [
        ("GET", "/v2/phone_numbers"),
        ("POST", "/v2/call_control_applications"),
        ("PATCH", f"/v2/phone_numbers/{owned_id}"),
    ]
    assert_accounts_agree(app, fake)


def test_a_failed_order_frees_the_number_at_once(app, client, factory, fake):
    number_id = pending_purchase(client, factory, fake)
    assert post(client, fake, completed_event(fake, "failure")).status_code == 200
    assert status(app, number_id) is None
    assert_accounts_agree(app, fake)


def test_a_bad_or_missing_signature_is_401_and_changes_nothing(app, client, factory, fake):
    number_id = pending_purchase(client, factory, fake)
    event = completed_event(fake)
    body, headers = fake.signed(event)
    tampered = body.replace(b"success", b"failure")
    assert client.post(HOOK, data=tampered, headers=headers).status_code == 401
    assert (
        client.post(HOOK, data=body, headers={"Content-Type": "application/json"}).status_code
        == 401
    )
    stale = fake.signed(event, timestamp=1_000_000)
    answer = client.post(HOOK, data=stale[0], headers=stale[1])
    assert answer.status_code == 401 and "too old" in answer.get_json()["error"]["message"]
    assert status(app, number_id) == "pending"


def test_a_replayed_delivery_is_applied_once(app, client, factory, fake):
    number_id = pending_purchase(client, factory, fake)
    event = completed_event(fake)
    assert post(client, fake, event).get_json()["applied"] is True
    with app.app_context():  # someone releases it meanwhile; a replay must not revive it
        db.session.get(PhoneNumber, number_id).status = "released"
        db.session.commit()
    again = post(client, fake, event)
    assert again.status_code == 200 and again.get_json() == {
        "success": True,
        "applied": False,
        "duplicate": True,
    }
    assert status(app, number_id) == "released"


def test_other_events_are_acknowledged_and_ignored(app, client, fake):
    event = {"data": {"event_type": "number_order.created", "id": "evt-x", "payload": {}}}
    answer = post(client, fake, event)
    assert answer.status_code == 200 and answer.get_json()["applied"] is False


def test_delivered_by_the_fake_over_http_like_telnyx(app, factory, fake, tmp_path):
    """The fake posts the signed event itself when the order completes (a live server)."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        fake.webhook_url = f"http://127.0.0.1:{server.server_port}{HOOK}"
        number_id = pending_purchase(app.test_client(), factory, fake)
        fake.complete_order(next(iter(fake.orders)))
        wait_until(lambda: fake.deliveries)
        assert fake.deliveries[0].status_code == 200
        assert status(app, number_id) == "active"
    finally:
        server.shutdown()
        thread.join(timeout=5)
        server.server_close()


def test_the_answer_says_what_became_of_each_number(app, client, factory, fake):
    number_id = pending_purchase(client, factory, fake)
    (order_id,) = fake.orders
    still_pending = fake.order_event(fake.orders[order_id])  # sent before the order ended
    answer = post(client, fake, still_pending).get_json()
    assert answer["settled"] == 0
    assert answer["numbers"] == [{"phoneNumber": NUMBER, "outcome": "pending"}]
    assert status(app, number_id) == "pending"
    done = post(client, fake, completed_event(fake)).get_json()
    assert done["settled"] == 1
    assert done["numbers"] == [{"phoneNumber": NUMBER, "outcome": "active"}]


def test_a_failed_number_is_reported_failed(app, client, factory, fake):
    pending_purchase(client, factory, fake)
    answer = post(client, fake, completed_event(fake, "failure")).get_json()
    assert answer["settled"] == 1
    assert answer["numbers"] == [{"phoneNumber": NUMBER, "outcome": "failed"}]
