"""The reputation client over real HTTP against a fake of Telnyx's Number Reputation
(tests/fakes/telnyx_reputation.py): readings, a first reading not ready, numbers it does not
rate, failures and late answers; the sandbox's deterministic states; which service a
deployment gets."""

from __future__ import annotations

from datetime import timedelta

import pytest

from app.extensions import db
from app.health.checks import check_number, due_for_check
from app.health.reputation import (
    NoReputation,
    Reading,
    SandboxReputation,
    TelnyxReputation,
    current_reputation,
)
from app.models import NumberHealth, PhoneNumber, utcnow
from tests.fakes.telnyx_reputation import FakeReputation
from tests.support import build_app, teardown_app

US = "+14155550100"


@pytest.fixture
def fake():
    with FakeReputation(api_key="key-for-tests") as fake:
        yield fake


@pytest.fixture
def client(fake):
    client = TelnyxReputation("key-for-tests", fake.base_url, timeout=0.5)
    client.http.max_backoff_total = 0.0  # retries without sleeping
    return client


@pytest.mark.parametrize(
    ("risk", "category", "reading"),
    [
        ("low", None, Reading("ok", "low")),
        ("medium", None, Reading("ok", "medium")),
        ("high", "telemarketing", Reading("ok", "high", "telemarketing")),
    ],
)
def test_a_reading_from_the_cache(fake, client, risk, category, reading):
    fake.monitor(US, risk, category)
    assert client.check(US) == reading
    assert fake.requests == [("/v2/reputation/numbers/%2B14155550100", {"fresh": "false"})]
    assert fake.fresh_lookups == 0  # the cached reading is free; Telnyx refreshes it


def test_a_number_just_added_has_no_reading_yet(fake, client):
    fake.monitor(US, None)
    assert client.check(US) == Reading(
        "pending", detail="Telnyx has not collected the first reading yet."
    )


def test_numbers_it_does_not_rate(fake, client):
    assert client.check(US) == Reading(
        "unsupported",
        detail="Telnyx does not monitor this number yet (add it to Number Reputation).",
    )
    # Canada is +1 too: Telnyx refuses it (422); we do not even ask for other countries.
    assert client.check("+14165550100") == Reading(
        "unsupported", detail="Telnyx rates US numbers only."
    )
    assert client.check("+442079460000") == Reading(
        "unsupported", detail="Telnyx rates US numbers only."
    )
    assert [path for path, _q in fake.requests] == ["/v2/reputation/numbers/%2B14155550100"]


def test_telnyx_refusing_the_number_is_not_a_failure(fake, client):
    fake.monitor(US, "low")
    fake.fail(422, {"errors": [{"code": "10015", "title": "Bad", "detail": "Not eligible."}]})
    assert client.check(US) == Reading("unsupported", detail="Not eligible.")


def test_failures(fake, client):
    fake.monitor(US, "low")
    fake.fail(503, {"errors": []}, times=2)  # a GET is retried once, then given up
    assert client.check(US).outcome == "failed"
    assert client.check(US) == Reading("ok", "low")  # the next one answers

    fake.fail(401, {"errors": [{"code": "10009", "title": "Authentication failed"}]})
    assert client.check(US) == Reading(
        "failed", detail="Telnyx rejected our credentials (HTTP 401)."
    )
    fake.fail(None, times=2)  # HTML from a proxy, twice
    assert client.check(US) == Reading("failed", detail="Telnyx answered HTTP 502.")
    fake.fail(200, ["not", "a", "record"])
    assert client.check(US) == Reading(
        "failed", detail="Telnyx answered nonsense instead of a reading."
    )
    fake.fail(200, {"data": {"reputation_data": {"spam_risk": "purple"}}})
    assert client.check(US) == Reading(
        "failed", detail="Telnyx's reading had no spam risk we know."
    )


def test_a_late_answer_is_a_failed_check(fake, client):
    fake.monitor(US, "high")
    fake.delay = 1.5
    assert client.check(US) == Reading("failed", detail="Telnyx did not answer in time.")


def test_a_wrong_key_is_a_failed_check_that_never_shows_the_key(fake):
    fake.monitor(US, "low")
    wrong = TelnyxReputation("wrong-key-123", fake.base_url, timeout=0.5)
    reading = wrong.check(US)
    assert reading.outcome == "failed"
    assert "wrong-key-123" not in (reading.detail or "")


def test_the_checks_kept_from_telnyx(app, factory, fake, client):
    """Through the app: each check a row of history; a failed one keeps the last reading and
    is due again within the hour rather than the day."""
    owner = factory.member("growth")
    number_id = factory.number(owner, US)
    app.extensions["reputation"] = client
    fake.monitor(US, "medium")
    now = utcnow()
    with app.app_context():
        number = db.session.get(PhoneNumber, number_id)
        check_number(number, now)
        fake.fail(500, {"errors": []}, times=2)
        check_number(number, now + timedelta(hours=25))
        health = db.session.get(NumberHealth, number_id)
        assert (health.risk, health.check_outcome, health.alert) == ("medium", "failed", "risk")
        assert due_for_check(now + timedelta(hours=25, minutes=59)) == []
        assert [n.id for n in due_for_check(now + timedelta(hours=26, seconds=1))] == [number_id]


def test_the_sandbox_shows_every_state():
    sandbox = SandboxReputation()
    assert [sandbox.check(f"+1415555010{d}") for d in (0, 7, 8, 9)] == [
        Reading("ok", "low"),
        Reading("ok", "medium"),
        Reading("ok", "high", "telemarketing"),
        Reading("pending", detail="The first reading is not ready yet."),
    ]


@pytest.mark.parametrize(
    ("settings", "kind"),
    [
        ({}, SandboxReputation),
        ({"PHONE_PROVIDER": "telnyx", "TELNYX_API_KEY": "k"}, NoReputation),
        (
            {"PHONE_PROVIDER": "telnyx", "TELNYX_API_KEY": "k", "TELNYX_REPUTATION": "1"},
            TelnyxReputation,
        ),
    ],
)
def test_which_service_a_deployment_has(tmp_path, settings, kind):
    app = build_app(tmp_path, **settings)
    try:
        with app.app_context():
            assert type(current_reputation()) is kind
    finally:
        teardown_app(app)
