"""The mail job's rules, with jobs run where they are queued: when it tries again, when it
gives up, what a lapsed claim means, and that a reset for an unknown address sends nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest

from app.accounts.recovery import request_reset
from app.extensions import db
from app.mail import outgoing
from app.models import JobFailure, OutgoingEmail, utcnow
from tests.factories import Factory
from tests.support import build_app, free_port, teardown_app

# attempts so far -> seconds until the next try (MAIL_RETRY_DELAY 30): doubling, at most 1 h
RETRY_DELAYS = {1: 30, 2: 60, 3: 120, 4: 240, 7: 1920, 8: 3600, 20: 3600, 60: 3600}


@pytest.mark.parametrize(("attempts", "seconds"), RETRY_DELAYS.items())
def test_tries_are_spaced_out_doubling_up_to_an_hour(app, attempts, seconds):
    with app.app_context():
        assert outgoing.retry_delay(attempts) == timedelta(seconds=seconds)


@pytest.fixture
def down(tmp_path):
    """An app whose mail server is not there."""
    app = build_app(tmp_path, MAIL_BACKEND="smtp", MAIL_SERVER="127.0.0.1", MAIL_PORT=free_port())
    yield app
    teardown_app(app)


def only_email(app) -> OutgoingEmail:
    with app.app_context():
        db.session.expire_all()
        [email] = db.session.scalars(db.select(OutgoingEmail))
        return email


def test_a_failed_try_is_scheduled_again_after_the_delay(down, factory):
    user = factory.member()
    with down.app_context():
        before = utcnow()
        request_reset(user.email)
    email = only_email(down)
    assert (email.status, email.attempts) == ("queued", 1)
    assert 29 <= (email.next_attempt_at - before).total_seconds() <= 31
    # A reset link works for an hour: its email is not tried after that.
    assert timedelta(minutes=59) < email.give_up_at - email.created_at <= timedelta(hours=1)


def test_a_nudge_before_the_next_try_is_due_does_nothing(down, factory):
    user = factory.member()
    with down.app_context():
        request_reset(user.email)
        outgoing.nudge(only_email(down).id)  # a duplicate, early
    assert only_email(down).attempts == 1


def test_past_its_time_an_email_is_given_up_and_the_job_recorded(down, factory):
    user = factory.member()
    with down.app_context():
        request_reset(user.email)
        email = only_email(down)
        db.session.execute(
            db.update(OutgoingEmail).values(
                next_attempt_at=utcnow(), give_up_at=utcnow() + timedelta(seconds=10)
            )
        )
        db.session.commit()
        outgoing.nudge(email.id)  # fails; the next try (30 s) would start after give_up_at
        failure = db.session.scalars(db.select(JobFailure)).one()
    email = only_email(down)
    assert (email.status, email.attempts) == ("failed", 2)
    assert email.finished_at is not None
    assert failure.task == "app.jobs.tasks.deliver_email"
    assert failure.args == {"args": [email.id], "kwargs": {}}
    assert failure.error.startswith("MailError: Could not send 'Reset your password'")


def test_a_recipient_refused_for_good_is_given_up_at_once(tmp_path, smtp_server):
    app = build_app(tmp_path, **smtp_server.config)
    try:
        user = Factory(app).member()
        smtp_server.refuse.add(user.email)  # "550 no such mailbox": trying again cannot help
        with app.app_context():
            request_reset(user.email)
        email = only_email(app)
        assert (email.status, email.attempts) == ("failed", 1)
        assert "550 5.1.1 No such mailbox here" in email.last_error
    finally:
        teardown_app(app)


def test_an_unknown_address_gets_nothing_and_a_known_one_its_link(app, factory):
    user = factory.member()
    with app.app_context():
        request_reset("nobody@example.com")
        request_reset(user.email)
        rows = {e.to: e.status for e in db.session.scalars(db.select(OutgoingEmail))}
    assert rows == {"nobody@example.com": "skipped", user.email: "sent"}
    sent = app.extensions["mailman"].outbox
    assert [m.to for m in sent] == [[user.email]]


def reset_email_tried_once(to: str, **state) -> OutgoingEmail:
    """A reset email already tried once, left as `state` says; in the database."""
    email = OutgoingEmail(
        kind="password_reset",
        to=to,
        args={},
        attempts=1,
        give_up_at=utcnow() + timedelta(hours=1),
        **state,
    )
    db.session.add(email)
    db.session.commit()
    return email


def test_the_sweep_sends_again_what_a_dead_worker_held(app, factory):
    user = factory.member()
    with app.app_context():
        # Claimed by a worker that then died, its claim still running:
        email = reset_email_tried_once(
            user.email, status="sending", claimed_until=utcnow() + timedelta(seconds=100)
        )
        assert outgoing.redeliver(utcnow()) == 0  # its claim still holds: it may be sending
        email.claimed_until = utcnow() - timedelta(seconds=1)  # the claim has lapsed
        db.session.commit()
        assert outgoing.redeliver(utcnow()) == 1
    assert (only_email(app).status, only_email(app).attempts) == ("sent", 2)
    assert [m.to for m in app.extensions["mailman"].outbox] == [[user.email]]


def test_the_sweep_sends_what_a_lost_retry_left_queued(app, factory):
    user = factory.member()
    with app.app_context():
        # Due 30 seconds ago, and no job came:
        reset_email_tried_once(user.email, next_attempt_at=utcnow() - timedelta(seconds=30))
        assert outgoing.redeliver(utcnow()) == 0  # it may still be on its way
        assert outgoing.redeliver(utcnow() + timedelta(minutes=1)) == 1
    assert only_email(app).status == "sent"
