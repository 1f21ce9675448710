"""The API with PHONE_PROVIDER=telnyx, over real HTTP to a fake Telnyx server."""

import socket

import pytest

from app.extensions import db
from app.models import PhoneNumber
from tests.fakes.telnyx import FakeTelnyx
from tests.helpers import assert_error, buy, listed, search
from tests.support import build_app, teardown_app

NUMBER = "+14155550123"


@pytest.fixture
def fake():
    with FakeTelnyx(api_key="key-for-tests") as fake:
        fake.add_available(NUMBER, monthly="1.5", upfront="0.5")
        fake.add_available("+14155550124")
        yield fake


@pytest.fixture
def app(tmp_path, fake):
    app = build_app(
        tmp_path,
        PHONE_PROVIDER="telnyx",
        TELNYX_API_KEY="key-for-tests",
        TELNYX_API_BASE=fake.base_url,
        TELNYX_CONNECTION_ID="conn-default",
        TELNYX_ORDER_WAIT=0.5,
    )
    provider = app.extensions["phone_provider"]
    provider.poll_interval = 0.05
    provider._timeout = (0.5, 0.5)  # keep timeout paths fast
    yield app
    teardown_app(app)


def stored(app):
    with app.app_context():
        return list(db.session.scalars(db.select(PhoneNumber)))


def test_search_answers_telnyx_numbers_less_those_held_here(client, factory, fake):
    member = factory.member("growth")
    body = search(client, member, areaCode="415").get_json()
    assert body["provider"] == "telnyx"
    assert body["numbers"][0] == {
        "phoneNumber": NUMBER,
        "monthlyPrice": "1.50",
        "setupPrice": "0.50",
        "features": ["voice", "sms"],
    }
    (sent,) = fake.requests_to("GET", "/v2/available_phone_numbers")
    assert sent.query["filter[national_destination_code]"] == "415"
    assert sent.query["filter[country_code]"] == "US"


def test_purchase_orders_at_telnyx_and_stores_the_owned_id(app, client, factory, fake):
    member = factory.member("growth")
    body = buy(client, member, NUMBER).get_json()
    (owned_id,) = fake.owned
    assert body["phoneNumber"]["provider_number_id"] == owned_id
    assert body["phoneNumber"]["status"] == "active"
    (order,) = fake.requests_to("POST", "/v2/number_orders")
    assert order.json["phone_numbers"] == [{"phone_number": NUMBER}]
    assert order.json["connection_id"] == "conn-default"
    (number,) = stored(app)
    assert order.json["customer_reference"] == number.customer_reference
    assert (number.provider, number.status) == ("telnyx", "active")


def test_connection_id_in_the_body_wins(client, factory, fake):
    buy(client, factory.member("growth"), NUMBER, connectionId="conn-body")
    assert fake.requests_to("POST", "/v2/number_orders")[0].json["connection_id"] == "conn-body"


@pytest.mark.parametrize(
    ("fault", "status", "code"),
    [
        ({"status": 500}, 502, "provider_error"),
        ({"status": 401}, 502, "provider_error"),
        ({"status": 422}, 409, "number_unavailable"),
        ({"body": "<html>oops</html>", "status": 200}, 502, "provider_error"),
        ({"delay": 1.5, "process": False}, 504, "provider_timeout"),
    ],
)
def test_a_failed_order_answers_the_contract_and_holds_nothing(
    app, client, factory, fake, fault, status, code
):
    member = factory.member("free")
    fake.fail("POST", "/v2/number_orders", **fault)
    assert_error(buy(client, member, NUMBER), status, code)
    assert stored(app) == []
    assert len(fake.requests_to("POST", "/v2/number_orders")) == 1
    assert listed(client, member).get_json()["count"] == 0
    # Nothing was spent: the free team can still buy its trial.
    assert buy(client, member, "+14155550124").status_code == 200


def test_an_order_that_failed_at_telnyx_is_409(app, client, factory, fake):
    fake.order_outcome(NUMBER, ["failure"])
    assert_error(buy(client, factory.member("growth"), NUMBER), 409, "number_unavailable")
    assert stored(app) == []


def test_a_slow_order_is_pending_then_settled_by_the_list(app, client, factory, fake):
    member = factory.member("growth")
    fake.order_outcome(NUMBER, ["pending"] * 100)
    body = buy(client, member, NUMBER).get_json()
    assert body["phoneNumber"]["status"] == "pending"
    assert body["phoneNumber"]["provider_number_id"] is None
    assert body["eligibility"]["currentCount"] == 1
    assert listed(client, member).get_json()["numbers"][0]["status"] == "pending"
    (order_id,) = fake.orders
    fake.set_order_status(order_id, "success")
    (row,) = listed(client, member).get_json()["numbers"]
    assert row["status"] == "active"
    (number,) = stored(app)
    assert number.provider_number_id == next(iter(fake.owned))


def test_a_pending_order_that_fails_disappears(app, client, factory, fake):
    member = factory.member("growth")
    fake.order_outcome(NUMBER, ["pending"] * 100)
    buy(client, member, NUMBER)
    fake.set_order_status(next(iter(fake.orders)), "failure")
    assert listed(client, member).get_json()["count"] == 0
    assert stored(app) == []


def test_search_faults_map_to_the_contract(client, factory, fake):
    member = factory.member("growth")
    fake.fail("GET", "/v2/available_phone_numbers", status=500, times=10)
    assert_error(search(client, member), 502, "provider_error")


def test_telnyx_without_a_key_fails_at_start_up(tmp_path):
    from app.providers import ProviderConfigError

    with pytest.raises(ProviderConfigError, match="TELNYX_API_KEY"):
        build_app(tmp_path, PHONE_PROVIDER="telnyx", TELNYX_API_KEY=None)


def test_an_order_that_timed_out_but_was_placed_is_found_not_reordered(app, client, factory, fake):
    # The client gives up reading after 0.5 s; the order is placed at 0.8 s, and the client
    # keeps looking it up by customer_reference for up to order_wait.
    app.extensions["phone_provider"].order_wait = 2.0
    fake.fail("POST", "/v2/number_orders", delay=0.8)
    body = buy(client, factory.member("growth"), NUMBER).get_json()
    assert body["phoneNumber"]["status"] == "active"
    assert len(fake.requests_to("POST", "/v2/number_orders")) == 1
    assert [n.status for n in stored(app)] == ["active"]


def test_numbers_sync_settles_pending_orders(app, client, factory, fake):
    member = factory.member("growth")
    fake.order_outcome(NUMBER, ["pending"] * 100)
    buy(client, member, NUMBER)
    runner = app.test_cli_runner()
    assert runner.invoke(args=["numbers", "sync"]).output.strip().splitlines()[-1] == (
        "0 of 1 pending numbers settled"
    )
    fake.set_order_status(next(iter(fake.orders)), "success")
    result = runner.invoke(args=["numbers", "sync"])
    assert result.exit_code == 0
    assert result.output.strip().splitlines()[-1] == "1 of 1 pending numbers settled"
    assert [n.status for n in stored(app)] == ["active"]


def test_a_provider_failure_is_not_replayed_so_a_retry_can_buy(app, client, factory, fake):
    member = factory.member("growth")
    headers = {**member.headers, "Idempotency-Key": "retry-me"}
    body = {"phoneNumber": NUMBER, "teamId": member.team_id}
    fake.fail("POST", "/v2/number_orders", status=500)
    assert_error(
        client.post("/api/phone-numbers/purchase", json=body, headers=headers),
        502,
        "provider_error",
    )
    retried = client.post("/api/phone-numbers/purchase", json=body, headers=headers)
    assert retried.status_code == 200 and "Idempotent-Replayed" not in retried.headers
    assert [n.status for n in stored(app)] == ["active"]


def test_searches_are_cached_but_numbers_bought_here_vanish_at_once(client, factory, fake):
    member = factory.member("growth")
    first = search(client, member, areaCode="415").get_json()["numbers"]
    again = search(client, member, areaCode="415").get_json()["numbers"]
    assert first == again
    assert len(fake.requests_to("GET", "/v2/available_phone_numbers")) == 1
    buy(client, member, NUMBER)
    after = [n["phoneNumber"] for n in search(client, member, areaCode="415").get_json()["numbers"]]
    assert NUMBER not in after and after == ["+14155550124"]
    assert len(fake.requests_to("GET", "/v2/available_phone_numbers")) == 1
    # Other filters are another cache entry; purchases never use the cache.
    search(client, member, areaCode="415", limit=5)
    assert len(fake.requests_to("GET", "/v2/available_phone_numbers")) == 2


@pytest.mark.parametrize(
    ("fault", "expected"),
    [
        ({"status": 503, "times": 1}, 200),  # retried, then answered
        ({"status": 429, "headers": {"x-ratelimit-reset": "0"}, "times": 1}, 200),
        ({"status": 500, "times": 10}, 502),
        ({"body": "{not json", "status": 200, "times": 10}, 502),
        ({"delay": 1.0, "times": 10}, 504),
    ],
)
def test_search_faults(client, factory, fake, fault, expected):
    # Distinct filters from any earlier search, so the cache cannot answer for Telnyx.
    fake.fail("GET", "/v2/available_phone_numbers", **fault)
    response = search(client, factory.member("growth"), areaCode="415", limit=7)
    assert response.status_code == expected, response.get_json()
    if expected == 200:
        assert response.get_json()["numbers"][0]["phoneNumber"] == NUMBER


def test_telnyx_unreachable_is_502_and_holds_nothing(tmp_path):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        closed_port = sock.getsockname()[1]
    app = build_app(
        tmp_path,
        PHONE_PROVIDER="telnyx",
        TELNYX_API_KEY="k",
        TELNYX_API_BASE=f"http://127.0.0.1:{closed_port}/v2",
    )
    try:
        from tests.factories import Factory

        client, member = app.test_client(), Factory(app).member("growth")
        assert_error(search(client, member), 502, "provider_error")
        assert_error(buy(client, member, NUMBER), 502, "provider_error")
        assert stored(app) == []
    finally:
        teardown_app(app)
