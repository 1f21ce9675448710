"""Spam-risk readings kept as history, the risk's rises and falls, and alerts raised once:
History, the number.health_alert webhook and an email to each owner and admin, not to
members, and never again while the state lasts."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.health.checks import check_number, sweep_health
from app.health.reputation import Reading
from app.models import AuditEvent, HealthCheck, NumberHealth, OutgoingEmail, PhoneNumber
from tests.events.helpers import made
from tests.fakes.receiver import Receiver

NOW = datetime(2026, 12, 7, 15, 0, tzinfo=UTC)


class Scripted:
    """A reputation service that answers what the test says next (the interface's contract)."""

    name = "scripted"

    def __init__(self):
        self.next: list[Reading] = []
        self.asked: list[str] = []

    def check(self, e164: str) -> Reading:
        self.asked.append(e164)
        return self.next.pop(0)


@pytest.fixture
def team(app, client, factory):
    app.config["WEBHOOKS_ALLOW_PRIVATE"] = True
    owner = factory.member("growth")
    admin = factory.member(team_id=owner.team_id, role="admin")
    member = factory.member(team_id=owner.team_id, role="member")
    number_id = factory.number(owner, "+14155550100", activated_at=NOW - timedelta(days=40))
    scripted = Scripted()
    app.extensions["reputation"] = scripted
    with Receiver() as receiver:
        _endpoint, secret = made(client, owner, receiver.url, ["number.health_alert"])
        receiver.secrets = [secret]
        yield owner, admin, member, number_id, scripted, receiver


def emails(app) -> list[str]:
    with app.app_context():
        return sorted(
            db.session.scalars(
                sa.select(OutgoingEmail.to).where(OutgoingEmail.kind == "health_alert")
            )
        )


def alerts(receiver) -> list[dict]:
    found = [json.loads(r.body)["data"] for r in receiver.received]
    receiver.received.clear()
    return [(d["alert"], d["risk"], d["detail"]) for d in found]


def read(app, number_id: str, reading: Reading, scripted, now=NOW) -> bool:
    scripted.next.append(reading)
    with app.app_context():
        _reading, raised = check_number(db.session.get(PhoneNumber, number_id), now)
        return raised


def test_risk_rises_alert_once_each_step_and_clears_at_low(app, team):
    owner, admin, member, number_id, scripted, receiver = team
    assert read(app, number_id, Reading("ok", "low"), scripted) is False
    assert read(app, number_id, Reading("ok", "medium"), scripted) is True
    assert alerts(receiver) == [("risk", "medium", "Spam risk rose to medium.")]
    assert emails(app) == sorted([owner.email, admin.email])  # not the member

    # The same state again, a failed check and a pending one: nothing new.
    assert read(app, number_id, Reading("ok", "medium"), scripted) is False
    assert (
        read(app, number_id, Reading("failed", detail="Telnyx answered HTTP 500."), scripted)
        is False
    )
    assert read(app, number_id, Reading("pending"), scripted) is False
    assert alerts(receiver) == []
    assert len(emails(app)) == 2

    # Higher still: once more. Down to medium: nothing. Low: the alert ends.
    assert read(app, number_id, Reading("ok", "high", "telemarketing"), scripted) is True
    assert alerts(receiver) == [("risk", "high", "Spam risk rose to high (telemarketing).")]
    assert read(app, number_id, Reading("ok", "medium"), scripted) is False
    with app.app_context():
        health = db.session.get(NumberHealth, number_id)
        assert (health.risk, health.alert, health.alerted_risk) == ("medium", "risk", "high")
    assert read(app, number_id, Reading("ok", "low"), scripted) is False
    with app.app_context():
        health = db.session.get(NumberHealth, number_id)
        assert (health.risk, health.alert, health.alerted_risk) == ("low", None, None)
    # Rising again after a low reading is news again.
    assert read(app, number_id, Reading("ok", "medium"), scripted) is True
    assert len(emails(app)) == 6

    with app.app_context():
        checks = db.session.scalars(
            sa.select(
                HealthCheck.outcome,
            ).where(HealthCheck.phone_number_id == number_id)
        ).all()
        assert len(checks) == 9
        lines = db.session.scalars(
            sa.select(AuditEvent.after).where(AuditEvent.action == "health_alert")
        ).all()
        assert [line["risk"] for line in lines] == ["medium", "high", "medium"]


def test_a_failed_check_keeps_the_last_reading(app, team):
    _owner, _admin, _member, number_id, scripted, _receiver = team
    read(app, number_id, Reading("ok", "medium"), scripted)
    read(app, number_id, Reading("failed", detail="Telnyx did not answer in time."), scripted)
    with app.app_context():
        health = db.session.get(NumberHealth, number_id)
        assert (health.risk, health.check_outcome) == ("medium", "failed")
        last = db.session.scalars(
            sa.select(HealthCheck).order_by(HealthCheck.checked_at.desc(), HealthCheck.id.desc())
        ).first()
        assert (last.outcome, last.risk, last.detail) == (
            "failed",
            "unknown",
            "Telnyx did not answer in time.",
        )


def _calls(app, number_id, team_id, count, at):
    from app.models import Call

    with app.app_context():
        for i in range(count):
            db.session.add(
                Call(
                    team_id=team_id,
                    phone_number_id=number_id,
                    number="+14155550100",
                    direction="outbound",
                    from_number="+14155550100",
                    to_number=f"+1212555{i:04d}",
                    outcome="answered",
                    provider="sandbox",
                    started_at=at - timedelta(seconds=i + 1),
                )
            )
        db.session.commit()


def test_past_the_ramp_alerts_once_then_again_only_after_going_back_under(app, team):
    owner, admin, _member, number_id, scripted, receiver = team
    with app.app_context():
        db.session.get(PhoneNumber, number_id).activated_at = NOW - timedelta(days=2)
        db.session.commit()
    # Day 3: 20 a day. The sweep also checks the spam risk of a number never checked.
    scripted.next += [Reading("ok", "low")]
    _calls(app, number_id, owner.team_id, 20, NOW)
    with app.app_context():
        assert sweep_health(NOW).alerts == 0
    _calls(app, number_id, owner.team_id, 1, NOW)
    with app.app_context():
        run = sweep_health(NOW)
        assert (run.checked, run.alerts) == (0, 1)
        assert sweep_health(NOW + timedelta(minutes=10)).alerts == 0  # still over: once
    assert alerts(receiver) == [
        ("ramp", "low", "21 calls today, over the warm-up ramp of 20 a day for its age.")
    ]
    assert emails(app) == sorted([owner.email, admin.email])
    with app.app_context():
        assert db.session.get(NumberHealth, number_id).alert == "ramp"
        # The next day starts at 0: the flag and the alert clear.
        assert sweep_health(NOW + timedelta(days=1, hours=-14)).alerts == 0
        health = db.session.get(NumberHealth, number_id)
        assert (health.over_ramp, health.alert) == (False, None)
    assert scripted.asked == ["+14155550100"]
