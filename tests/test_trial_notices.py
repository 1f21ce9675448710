"""`flask numbers notify-trials` (and its periodic job): owners hear a day before a trial ends
and when it has, over real SMTP, each notice once however often it runs."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import pytest

from app.extensions import db
from app.mail.outgoing import redeliver
from app.models import PhoneNumber, SentNotice, utcnow
from tests.factories import Factory
from tests.fakes.smtp import SmtpServer, body
from tests.support import build_app, free_port, teardown_app

# Ahead of the real clock: converting a trial (a subscription) looks at the real now.
EXPIRES = (datetime.now(UTC) + timedelta(days=3)).replace(minute=0, second=0, microsecond=0)


def at(moment: datetime) -> list[str]:
    return ["numbers", "notify-trials", "--now", moment.isoformat()]


@pytest.fixture
def world(tmp_path, smtp_server):
    app = build_app(tmp_path, **smtp_server.config, BASE_URL="https://desk.example.com")
    people = Factory(app)
    owner = people.member("free")
    member = people.member(team_id=owner.team_id, role="member")
    people.number(owner, "+14155550100", is_trial=True, trial_expires_at=EXPIRES)
    yield app, owner, member
    teardown_app(app)


def test_a_day_before_the_owner_is_told_once(world, smtp_server):
    app, owner, member = world
    runner = app.test_cli_runner()
    early = runner.invoke(args=at(EXPIRES - timedelta(days=1, minutes=5)))
    assert early.exit_code == 0, (early.output, early.exception)
    assert (
        early.stdout.strip().splitlines()[-1] == "0 trial notices queued (0 ending soon, 0 ended)"
    )

    result = runner.invoke(args=at(EXPIRES - timedelta(hours=20)))
    assert result.exit_code == 0
    assert (
        result.stdout.strip().splitlines()[-1] == "1 trial notices queued (1 ending soon, 0 ended)"
    )
    [message] = smtp_server.messages
    assert message["To"] == owner.email  # owners, who can choose a plan; not every member
    assert message["Subject"] == "Your trial number +1 415-555-0100 ends tomorrow"
    text = body(message, "plain")
    assert EXPIRES.strftime("%d %b %Y, %H:%M UTC") in text
    assert f"https://desk.example.com/teams/{owner.team_id}/plans" in text

    again = runner.invoke(args=at(EXPIRES - timedelta(hours=19)))
    assert again.stdout.strip().splitlines()[-1].startswith("0 trial notices queued")
    assert len(smtp_server.messages) == 1


def test_after_the_end_the_owner_is_told_it_ended_once(world, smtp_server):
    app, owner, _member = world
    runner = app.test_cli_runner()
    runner.invoke(args=at(EXPIRES + timedelta(minutes=1)))
    runner.invoke(args=at(EXPIRES + timedelta(hours=2)))
    subjects = [m["Subject"] for m in smtp_server.messages]
    assert subjects == ["Your trial number +1 415-555-0100 has ended"]
    with app.app_context():
        kinds = db.session.scalars(db.select(SentNotice.kind)).all()
        assert kinds == ["trial_expired"]


def test_a_converted_trial_gets_no_notice(world, smtp_server):
    app, owner, _member = world
    runner = app.test_cli_runner()
    assert runner.invoke(args=["teams", "set-plan", owner.team_id, "starter"]).exit_code == 0
    result = runner.invoke(args=at(EXPIRES - timedelta(hours=2)))
    assert result.stdout.strip().splitlines()[-1].startswith("0 trial notices queued")
    assert smtp_server.messages == []


def test_a_trial_its_team_released_gets_no_notice_until_the_release_is_undone(world, smtp_server):
    app, owner, _member = world
    with app.app_context():
        db.session.execute(
            db.update(PhoneNumber).values(
                status="releasing", status_reason="scheduled", release_after=EXPIRES
            )
        )
        db.session.commit()
    runner = app.test_cli_runner()
    for moment in (EXPIRES - timedelta(hours=2), EXPIRES + timedelta(minutes=1)):
        result = runner.invoke(args=at(moment))
        assert result.stdout.strip().splitlines()[-1].startswith("0 trial notices queued")
    assert smtp_server.messages == []
    with app.app_context():  # undone (as Undo does): it is the team's trial again
        db.session.execute(
            db.update(PhoneNumber).values(status="active", status_reason=None, release_after=None)
        )
        db.session.commit()
    result = runner.invoke(args=at(EXPIRES - timedelta(hours=2)))
    assert result.stdout.strip().splitlines()[-1].startswith("1 trial notices queued")


def test_a_notice_whose_email_fails_is_queued_once_and_sent_when_the_server_is_back(tmp_path):
    port = free_port()  # no mail server there yet
    app = build_app(
        tmp_path, MAIL_BACKEND="smtp", MAIL_SERVER="127.0.0.1", MAIL_PORT=port, MAIL_RETRY_DELAY=0.1
    )
    try:
        people = Factory(app)
        owner = people.member("free")
        people.number(owner, "+14155550100", is_trial=True, trial_expires_at=EXPIRES)
        runner = app.test_cli_runner()
        result = runner.invoke(args=at(EXPIRES - timedelta(hours=3)))
        assert result.exit_code == 0
        assert result.stdout.strip() == "1 trial notices queued (1 ending soon, 0 ended)"
        again = runner.invoke(args=at(EXPIRES - timedelta(hours=2)))
        assert again.stdout.strip().startswith("0 trial notices queued")  # claimed once
        time.sleep(0.2)  # its next try is due
        with SmtpServer(port=port) as smtp, app.app_context():
            assert redeliver(utcnow() + timedelta(minutes=1)) == 1
            assert [m["To"] for m in smtp.messages] == [owner.email]
    finally:
        teardown_app(app)
