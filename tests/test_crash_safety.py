"""A server killed mid-purchase leaves a pending row that `numbers sync` settles from Telnyx."""

import contextlib
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import requests

from app.extensions import db
from app.models import PhoneNumber
from tests.factories import Factory
from tests.fakes.telnyx import FakeTelnyx
from tests.support import build_app, teardown_app

ROOT = Path(__file__).resolve().parent.parent
NUMBER = "+14155550177"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until(condition, timeout=15.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.05)
    raise AssertionError("condition not met in time")


@pytest.fixture
def fake():
    with FakeTelnyx(api_key="crash-key") as fake:
        fake.add_available(NUMBER)
        yield fake


@pytest.fixture
def app(tmp_path, fake):
    app = build_app(
        tmp_path,
        PHONE_PROVIDER="telnyx",
        TELNYX_API_KEY="crash-key",
        TELNYX_API_BASE=fake.base_url,
    )
    yield app
    teardown_app(app)


def kill_mid_purchase(app, fake, member):
    """Start a real server, buy, and SIGKILL it while Telnyx is still answering the order."""
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
        "SECRET_KEY": "crash-test",
        "PHONE_PROVIDER": "telnyx",
        "TELNYX_API_KEY": "crash-key",
        "TELNYX_API_BASE": fake.base_url,
    }
    server = subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "wsgi", "run", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_until(lambda: _listening(port))
        body = {"phoneNumber": NUMBER, "teamId": member.team_id}
        buyer = threading.Thread(
            target=_post_quietly,
            args=(f"http://127.0.0.1:{port}/api/phone-numbers/purchase", body, member.headers),
        )
        buyer.start()
        wait_until(lambda: fake.requests_to("POST", "/v2/number_orders"))
        server.send_signal(signal.SIGKILL)
        server.wait(10)
        buyer.join(10)
    finally:
        if server.poll() is None:
            server.kill()
            server.wait(10)


def _listening(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


def _post_quietly(url, body, headers):
    with contextlib.suppress(requests.RequestException):  # the server dies under us: the point
        requests.post(url, json=body, headers=headers, timeout=15)


def rows(app):
    with app.app_context():
        return [
            (n.status, n.provider_order_id, n.provider_number_id)
            for n in db.session.scalars(db.select(PhoneNumber))
        ]


def test_an_order_placed_before_the_crash_becomes_active(app, fake):
    member = Factory(app).member("growth")
    fake.fail("POST", "/v2/number_orders", delay=2.0, process=True)  # placed, answered late
    kill_mid_purchase(app, fake, member)
    assert rows(app) == [("pending", None, None)]  # reserved before the provider was called
    wait_until(lambda: fake.owned)  # Telnyx completed the order after we died
    result = app.test_cli_runner().invoke(args=["numbers", "sync", "--grace", "0"])
    assert result.stdout.strip() == "1 of 1 pending numbers settled"
    (owned_id,) = fake.owned
    assert rows(app) == [("active", None, owned_id)]


def test_an_order_never_placed_is_removed(app, fake):
    member = Factory(app).member("growth")
    fake.fail("POST", "/v2/number_orders", delay=2.0, process=False)
    kill_mid_purchase(app, fake, member)
    assert rows(app) == [("pending", None, None)]
    runner = app.test_cli_runner()
    # Within the grace period the row may be a purchase in flight: left alone.
    assert (
        runner.invoke(args=["numbers", "sync"]).stdout.strip() == "0 of 0 pending numbers settled"
    )
    assert runner.invoke(args=["numbers", "sync", "--grace", "0"]).stdout.strip() == (
        "1 of 1 pending numbers settled"
    )
    assert rows(app) == [] and fake.owned == {}
