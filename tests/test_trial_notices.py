"""`flask numbers notify-trials`: owners hear a day before a trial ends and when it has,
over real SMTP, each notice once however often cron runs it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from app.extensions import db
from app.models import PhoneNumber, SentNotice
from tests.factories import Factory
from tests.fakes.smtp import SmtpServer, body
from tests.support import build_app, teardown_app

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
    assert early.stdout.strip().splitlines()[-1] == "0 trial notices sent (0 ending soon, 0 ended)"

    result = runner.invoke(args=at(EXPIRES - timedelta(hours=20)))
    assert result.exit_code == 0
    assert result.stdout.strip().splitlines()[-1] == "1 trial notices sent (1 ending soon, 0 ended)"
    [message] = smtp_server.messages
    assert message["To"] == owner.email  # owners, who can choose a plan; not every member
    assert message["Subject"] == "Your trial number +1 415-555-0100 ends tomorrow"
    text = body(message, "plain")
    assert EXPIRES.strftime("%d %b %Y, %H:%M UTC") in text
    assert f"https://desk.example.com/teams/{owner.team_id}/plans" in text

    again = runner.invoke(args=at(EXPIRES - timedelta(hours=19)))
    assert again.stdout.strip().splitlines()[-1].startswith("0 trial notices sent")
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
    assert result.stdout.strip().splitlines()[-1].startswith("0 trial notices sent")
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
        assert result.stdout.strip().splitlines()[-1].startswith("0 trial notices sent")
    assert smtp_server.messages == []
    with app.app_context():  # undone (as Undo does): it is the team's trial again
        db.session.execute(
            db.update(PhoneNumber).values(status="active", status_reason=None, release_after=None)
        )
        db.session.commit()
    result = runner.invoke(args=at(EXPIRES - timedelta(hours=2)))
    assert result.stdout.strip().splitlines()[-1].startswith("1 trial notices sent")


def test_a_failed_send_is_retried_by_the_next_run(tmp_path):
    with SmtpServer(refuse={"user1@example.com"}) as refusing:
        app = build_app(tmp_path, **refusing.config)
        try:
            people = Factory(app)
            owner = people.member("free")
            people.number(owner, "+14155550100", is_trial=True, trial_expires_at=EXPIRES)
            result = app.test_cli_runner().invoke(args=at(EXPIRES - timedelta(hours=3)))
            assert result.exit_code == 1
            assert "1 notices could not be sent" in result.output
            with app.app_context():
                assert db.session.scalar(db.select(db.func.count()).select_from(SentNotice)) == 0
            refusing.refuse.clear()  # the mailbox works again
            retry = app.test_cli_runner().invoke(args=at(EXPIRES - timedelta(hours=2)))
            assert retry.exit_code == 0
            assert [m["To"] for m in refusing.messages] == [owner.email]
        finally:
            teardown_app(app)
