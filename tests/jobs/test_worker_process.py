"""A real `flask worker` process on Redis: killed mid-send and restarted it sends the email
once; with the mail server down the email waits and goes when the server is back."""

from __future__ import annotations

import time

import pytest

from app.accounts.recovery import request_reset
from app.extensions import db
from app.models import JobFailure, OutgoingEmail
from tests.factories import Factory
from tests.fakes.smtp import SmtpServer, links
from tests.jobs.helpers import eventually, kill, queued_app, start_worker, worker
from tests.support import free_port, teardown_app


@pytest.fixture
def smtp():
    # Each message takes 0.8 s to be accepted: a worker is caught mid-send easily.
    with SmtpServer(delay=0.8) as server:
        yield server


def emails(app) -> list[tuple[str, int]]:
    with app.app_context():
        db.session.expire_all()
        return [(e.status, e.attempts) for e in db.session.scalars(db.select(OutgoingEmail))]


def failures(app) -> int:
    with app.app_context():
        return db.session.scalar(db.select(db.func.count()).select_from(JobFailure))


def test_a_worker_killed_mid_send_and_restarted_sends_the_email_once(tmp_path, smtp):
    # MAIL_TIMEOUT 2 s: a claim lapses 20 s after a worker took the email.
    app = queued_app(tmp_path, **smtp.config, MAIL_TIMEOUT=2, MAIL_RETRY_DELAY=1)
    try:
        user = Factory(app).member()
        first = start_worker(app)
        with app.app_context():
            request_reset(user.email)
        assert smtp.recipient_named.wait(40)  # the worker is in the middle of the conversation
        kill(first)
        time.sleep(1.5)
        assert smtp.messages == []  # it died before the message was accepted
        assert emails(app) == [("sending", 1)]  # claimed by the dead worker

        with worker(app):
            eventually(lambda: emails(app) == [("sent", 2)], timeout=90)
            time.sleep(2)  # a second copy would have arrived by now
        [message] = smtp.messages
        assert message["To"] == user.email
        assert message["Subject"] == "Reset your password"
        assert "/reset-password/" in links(message).text[0]
    finally:
        teardown_app(app)


def test_with_smtp_down_the_reset_email_is_delivered_when_smtp_returns(tmp_path):
    port = free_port()  # nothing listens there yet
    app = queued_app(
        tmp_path, MAIL_BACKEND="smtp", MAIL_SERVER="127.0.0.1", MAIL_PORT=port, MAIL_RETRY_DELAY=1
    )
    try:
        user = Factory(app).member()
        with worker(app):
            with app.app_context():
                request_reset(user.email)
            eventually(lambda: emails(app)[0][1] >= 2)  # tried, and tried again after 1 s
            assert emails(app)[0][0] in ("queued", "sending")
            with SmtpServer(port=port) as smtp:
                eventually(lambda: emails(app)[0][0] == "sent")
                [message] = smtp.messages
                assert message["To"] == user.email
                assert message["Subject"] == "Reset your password"
        with app.app_context():
            [email] = db.session.scalars(db.select(OutgoingEmail))
            assert "could not be reached" in email.last_error  # why the earlier tries failed
        assert failures(app) == 0
    finally:
        teardown_app(app)


def test_an_email_is_given_up_after_its_time_and_listed_as_a_failed_job(tmp_path):
    port = free_port()
    app = queued_app(
        tmp_path,
        MAIL_BACKEND="smtp",
        MAIL_SERVER="127.0.0.1",
        MAIL_PORT=port,
        MAIL_RETRY_DELAY=1,
        MAIL_RETRY_HOURS=3 / 3600,  # three seconds: no try starts later than that
    )
    try:
        user = Factory(app).member()
        with worker(app):
            with app.app_context():
                request_reset(user.email)
            eventually(lambda: emails(app) and emails(app)[0][0] == "failed")
            eventually(lambda: failures(app) == 1)  # the job is kept as failed for good
        [(_status, tries)] = emails(app)
        time.sleep(2)
        assert emails(app) == [("failed", tries)]  # no more tries once given up
        runner = app.test_cli_runner()
        listed = runner.invoke(args=["jobs", "failed"])
        assert listed.stdout.strip().splitlines()[-1] == "1 failed jobs"
        line = listed.stdout.splitlines()[0]
        assert "app.jobs.tasks.deliver_email" in line
        assert f"Could not send 'Reset your password' to {user.email}" in line

        failure_id = line.split()[0]
        with SmtpServer(port=port) as smtp, worker(app) as process:
            retried = runner.invoke(args=["jobs", "retry", failure_id])
            assert retried.stdout.strip() == f"{failure_id} queued again"
            eventually(lambda: emails(app) == [("sent", tries + 1)])
            assert process.poll() is None
        assert len(smtp.messages) == 1
        again = runner.invoke(args=["jobs", "retry", failure_id])
        assert again.exit_code == 1
        assert "No failed job" in again.output
    finally:
        teardown_app(app)
