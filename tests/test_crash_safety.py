"""A gunicorn worker killed (SIGKILL) mid-order leaves a reservation that `numbers sync`
settles from Telnyx's own state: never an order lost, never a number held that was not sold."""

import contextlib
import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest
import requests

from app.extensions import db
from app.models import PhoneNumber
from tests.factories import Factory
from tests.fakes.telnyx import FakeTelnyx
from tests.invariants import assert_accounts_agree
from tests.support import build_app, free_port, listening, teardown_app, wait_until

ROOT = Path(__file__).resolve().parent.parent
NUMBER = "+14155550177"
ORDERS = "/v2/number_orders"


@pytest.fixture
def fake():
    with FakeTelnyx(api_key="crash-key") as fake:
        fake.add_available(NUMBER)
        yield fake


@pytest.fixture
def app(tmp_path, fake):
    app = build_app(
        tmp_path, PHONE_PROVIDER="telnyx", TELNYX_API_KEY="crash-key", TELNYX_API_BASE=fake.base_url
    )
    yield app
    teardown_app(app)


@contextlib.contextmanager
def gunicorn(app, fake):
    """gunicorn (one sync worker) on the test database, talking to the fake."""
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
        "SECRET_KEY": "crash-test",
        "PHONE_PROVIDER": "telnyx",
        "TELNYX_API_KEY": "crash-key",
        "TELNYX_API_BASE": fake.base_url,
        # No job threads in the workers: this test runs `numbers sync` itself, at its moment.
        "JOBS_IMMEDIATE": "1",
    }
    gunicorn_bin = Path(sys.executable).parent / "gunicorn"
    master = subprocess.Popen(
        [str(gunicorn_bin), "--bind", f"127.0.0.1:{port}", "--workers", "1", "wsgi:app"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_until(lambda: listening(port), timeout=30)
        yield master, port
    finally:
        master.terminate()
        try:
            master.wait(10)
        except subprocess.TimeoutExpired:
            master.kill()
            master.wait(10)


def children_of(master: subprocess.Popen) -> list[str]:
    return Path(f"/proc/{master.pid}/task/{master.pid}/children").read_text().split()


def worker_of(master: subprocess.Popen) -> int:
    # The master listens before it has forked its worker: wait for the worker to exist.
    wait_until(lambda: len(children_of(master)) == 1, timeout=30)
    return int(children_of(master)[0])


def kill_worker_mid_order(master, port, fake, member) -> None:
    worker = worker_of(master)
    body = {"phoneNumber": NUMBER, "teamId": member.team_id}
    buyer = threading.Thread(
        target=_post_quietly,
        args=(f"http://127.0.0.1:{port}/api/phone-numbers/purchase", body, member.headers),
    )
    buyer.start()
    wait_until(lambda: fake.requests_to("POST", ORDERS))
    os.kill(worker, signal.SIGKILL)
    buyer.join(15)
    wait_until(lambda: _respawned(master, worker))  # the master replaces the worker


def _respawned(master, dead: int) -> bool:
    children = children_of(master)
    return bool(children) and str(dead) not in children


def _post_quietly(url, body, headers):
    with contextlib.suppress(requests.RequestException):  # the worker dies under us: the point
        requests.post(url, json=body, headers=headers, timeout=15)


def rows(app):
    with app.app_context():
        return [
            (n.status, n.provider_order_id, n.provider_number_id)
            for n in db.session.scalars(db.select(PhoneNumber))
        ]


def sync(app) -> str:
    return app.test_cli_runner().invoke(args=["numbers", "sync", "--grace", "0"]).stdout.strip()


def test_an_order_still_pending_at_the_crash_is_kept_then_completed(app, fake):
    member = Factory(app).member("growth")
    fake.hold_orders = True  # Telnyx is still completing the order when the worker dies
    answer = threading.Event()  # placed at once, answered only after the worker is dead
    fake.fail("POST", ORDERS, until=answer, process=True)
    with gunicorn(app, fake) as (master, port):
        kill_worker_mid_order(master, port, fake, member)
        answer.set()
        assert rows(app) == [("reserving", None, None)]  # reserved before Telnyx was called
        assert sync(app) == "1 of 1 pending numbers settled"
        (order_id,) = fake.orders
        assert rows(app) == [("pending", order_id, None)]  # found by reference, not deleted
        assert_accounts_agree(app, fake)
        listed = requests.get(
            f"http://127.0.0.1:{port}/api/phone-numbers/purchase",
            params={"teamId": member.team_id},
            headers=member.headers,
            timeout=10,
        ).json()
        assert [n["status"] for n in listed["numbers"]] == ["pending"]  # the team sees it
    fake.complete_order(order_id)
    assert sync(app) == "1 of 1 pending numbers settled"
    (owned_id,) = fake.owned
    assert rows(app) == [("active", order_id, owned_id)]
    assert_accounts_agree(app, fake)


def test_an_order_never_placed_is_removed_once_the_grace_has_passed(app, fake):
    member = Factory(app).member("growth")
    answer = threading.Event()  # never placed, and not answered before the worker is dead
    fake.fail("POST", ORDERS, until=answer, process=False)
    with gunicorn(app, fake) as (master, port):
        kill_worker_mid_order(master, port, fake, member)
        answer.set()
    assert rows(app) == [("reserving", None, None)]
    runner = app.test_cli_runner()
    # Within the grace period the row may be a purchase in flight: left alone.
    assert (
        runner.invoke(args=["numbers", "sync"]).stdout.strip() == "0 of 0 pending numbers settled"
    )
    assert sync(app) == "1 of 1 pending numbers settled"
    assert rows(app) == [] and fake.owned == {}
    assert_accounts_agree(app, fake)
