"""Trial expiry: the command, its safety under parallel runs, and conversion on subscribing."""

import threading
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from app.extensions import db
from app.models import AuditEvent, PhoneNumber, Team
from app.numbers import trials as lifecycle
from tests.helpers import bought_id, listed, sandbox_number


def trials(client, factory, count):
    members = [factory.member("free") for _ in range(count)]
    return members, [bought_id(client, m, sandbox_number("415", i)) for i, m in enumerate(members)]


def test_expire_trials_releases_only_due_trials(app, client, factory, runner):
    (member, *_), ids = trials(client, factory, 3)
    paid = factory.member("growth")
    bought_id(client, paid, sandbox_number("212", 0))
    soon = (datetime.now(UTC) + timedelta(days=4)).isoformat()
    assert runner.invoke(args=["numbers", "expire-trials", "--now", soon]).stdout.strip() == (
        "0 expired trial numbers released"
    )
    later = (datetime.now(UTC) + timedelta(days=5, minutes=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    result = runner.invoke(args=["numbers", "expire-trials", "--now", later])
    assert result.exit_code == 0 and result.stdout.strip() == "3 expired trial numbers released"
    assert (
        runner.invoke(args=["numbers", "expire-trials", "--now", later])
        .stdout.strip()
        .startswith("0 ")
    )
    with app.app_context():
        statuses = dict(db.session.execute(sa.select(PhoneNumber.id, PhoneNumber.status)).all())
        assert [statuses[i] for i in ids] == ["expired"] * 3
        assert sorted(statuses.values()).count("active") == 1  # the paid number is untouched
        assert (
            db.session.scalar(sa.select(sa.func.count()).where(AuditEvent.action == "expire")) == 3
        )
    # Still listed, as expired, and no longer counted.
    (row,) = listed(client, member).get_json()["numbers"]
    assert row["status"] == "expired"


def test_expire_trials_rejects_a_bad_time(runner):
    result = runner.invoke(args=["numbers", "expire-trials", "--now", "next tuesday"])
    assert result.exit_code == 1 and "ISO 8601" in result.stderr


def test_parallel_runs_release_each_trial_once(app, client, factory, monkeypatch):
    _, ids = trials(client, factory, 8)
    released: list[str] = []
    provider = app.extensions["phone_provider"]

    def slow_release(provider_number_id):
        released.append(provider_number_id)
        threading.Event().wait(0.02)  # hold the number long enough for the runs to overlap

    monkeypatch.setattr(provider, "release", slow_release)
    later = datetime.now(UTC) + timedelta(days=6)
    counts: list[int] = []

    def run():
        with app.app_context():
            counts.append(lifecycle.expire_trials(later))

    threads = [threading.Thread(target=run) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert sum(counts) == 8
    assert len(released) == len(set(released)) == 8


def test_a_release_failure_keeps_the_trial_for_the_next_run(app, client, factory, monkeypatch):
    _, ids = trials(client, factory, 2)
    provider = app.extensions["phone_provider"]
    from app.providers.base import ProviderError

    def refuse(provider_number_id):
        raise ProviderError("Telnyx is down.")

    monkeypatch.setattr(provider, "release", refuse)
    later = datetime.now(UTC) + timedelta(days=6)
    with app.app_context():
        assert lifecycle.expire_trials(later) == 0
        assert set(db.session.scalars(sa.select(PhoneNumber.status))) == {"active"}
    monkeypatch.undo()
    with app.app_context():
        assert lifecycle.expire_trials(later) == 2


def test_subscribing_keeps_the_trial_as_a_regular_number(app, client, factory, runner):
    member = factory.member("free")
    number = bought_id(client, member, sandbox_number("415", 0))
    assert runner.invoke(args=["teams", "set-plan", member.team_id, "starter"]).exit_code == 0
    (row,) = listed(client, member).get_json()["numbers"]
    assert (row["id"], row["is_trial"], row["trial_expires_at"], row["status"]) == (
        number,
        False,
        None,
        "active",
    )
    later = (datetime.now(UTC) + timedelta(days=30)).isoformat()
    runner.invoke(args=["numbers", "expire-trials", "--now", later])
    assert listed(client, member).get_json()["numbers"][0]["status"] == "active"
    with app.app_context():
        assert db.session.get(Team, member.team_id).plan == "starter"
