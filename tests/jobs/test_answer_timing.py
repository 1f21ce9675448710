"""Forgot password and sign-up answer in the same time whether or not the address has an
account, measured with a real worker sending through a relay that takes 150 ms a message."""

from __future__ import annotations

import statistics
import time

import pytest

from app.extensions import db
from app.models import OutgoingEmail
from tests.factories import Factory
from tests.fakes.smtp import SmtpServer
from tests.jobs.helpers import eventually, queued_app, worker
from tests.pages.helpers import csrf_token
from tests.support import teardown_app

pytestmark = pytest.mark.any_database  # CI runs it once, not on each database

ROUNDS = 30
WARM_UP = 3  # first requests fill caches (templates, connections): not counted
RELAY = 0.15  # what one send takes at the relay: what a send in the request used to cost
# The two kinds of address do the same work in the request (no lookup at all: the mail job looks
# the account up); what differs is the machine's noise, which on 2 cores shared with other test
# runs reaches 10-20 ms between the two of a pair. A gap of half a send would mean the request
# did address-dependent work again; the figures printed are the measurement.
NOISE = RELAY / 2


@pytest.fixture
def world(tmp_path):
    with SmtpServer(delay=RELAY) as smtp:
        app = queued_app(
            tmp_path, **smtp.config, RATELIMIT_SIGNUP="1000 per minute", MAIL_RETRY_DELAY=1
        )
        try:
            user = Factory(app).member()
            with worker(app):
                yield app, smtp, user
        finally:
            teardown_app(app)


def timed(app, client, path: str, data: dict) -> float:
    """How long the answer took; then wait for the worker to finish that email, so that its
    sending (150 ms for a known address) never overlaps the next measured request."""
    token = csrf_token(client, path)
    started = time.perf_counter()
    response = client.post(path, data={**data, "csrf_token": token})
    took = time.perf_counter() - started
    assert response.status_code == 200
    eventually(lambda: _waiting(app) == 0)
    return took


def _waiting(app) -> int:
    with app.app_context():
        return db.session.scalar(
            db.select(db.func.count())
            .select_from(OutgoingEmail)
            .where(OutgoingEmail.status.in_(("queued", "sending")))
        )


def in_turn(index: int, known: list, unknown: list) -> tuple[list, list]:
    return (known, unknown) if index % 2 == 0 else (unknown, known)


def compare(known: list[float], unknown: list[float], what: str) -> None:
    known, unknown = known[WARM_UP:], unknown[WARM_UP:]
    # Each known request is paired with the unknown one next to it: the pair saw the same load,
    # so the median of their differences is what the address itself costs.
    gap = statistics.median(k - u for k, u in zip(known, unknown, strict=True))
    one, other = statistics.median(known), statistics.median(unknown)
    print(
        f"{what}: known {one * 1000:.1f} ms, unknown {other * 1000:.1f} ms, median gap "
        f"{gap * 1000:+.1f} ms ({len(known)} pairs; quartiles {_quartiles(known)} and "
        f"{_quartiles(unknown)})"
    )
    assert abs(gap) < NOISE  # and so the 150 ms send is in neither answer


def _quartiles(values: list[float]) -> str:
    low, _, high = statistics.quantiles(values, n=4)
    return f"{low * 1000:.1f}-{high * 1000:.1f} ms"


def test_forgot_password_takes_as_long_for_any_address(world):
    app, smtp, user = world
    client = app.test_client()
    known, unknown = [], []
    for index in range(ROUNDS):  # interleaved, each first in turn: load falls on both alike
        for kind in in_turn(index, known, unknown):
            email = user.email if kind is known else f"nobody{index}@example.com"
            kind.append(timed(app, client, "/forgot-password", {"email": email}))
    compare(known, unknown, "forgot password")
    eventually(lambda: len(smtp.messages) == ROUNDS, timeout=60)
    assert {m["To"] for m in smtp.messages} == {user.email}  # nothing to unknown addresses


def test_sign_up_takes_as_long_for_any_address(world):
    app, smtp, user = world
    client = app.test_client()
    known, unknown = [], []
    form = {"name": "Ada", "password": "a long enough passphrase"}
    for index in range(ROUNDS):
        for kind in in_turn(index, known, unknown):
            email = user.email if kind is known else f"new{index}@example.com"
            kind.append(timed(app, client, "/signup", {**form, "email": email}))
    compare(known, unknown, "sign-up")
    eventually(lambda: len(smtp.messages) == 2 * ROUNDS, timeout=60)
    subjects = {(m["To"], m["Subject"]) for m in smtp.messages}
    assert (user.email, "Someone tried to sign up with your email") in subjects
    assert ("new0@example.com", "Confirm your email address") in subjects
    with app.app_context():
        statuses = set(db.session.scalars(db.select(OutgoingEmail.status)))
    assert statuses == {"sent"}
