"""The over-limit sweep: at the end of a grace it releases exactly the numbers beyond the limit
that were not kept (unassigned first, then the newest), each with an email to every owner and
a History line; safe when run on several hosts at once and when killed half-way."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.billing.plan_changes import change_plan
from app.extensions import db
from app.models import AuditEvent, PhoneNumber, Team, utcnow
from app.plans import enforcement
from app.plans.enforcement import enforce_limits
from app.plans.grace import keep_numbers
from app.providers import current_provider
from app.providers.base import ProviderError
from tests.factories import actor_of
from tests.helpers import bought_id, sandbox_number
from tests.pages.helpers import mailbox


def statuses(app, ids) -> list[str]:
    with app.app_context():
        rows = db.session.execute(
            sa.select(PhoneNumber.id, PhoneNumber.status).where(PhoneNumber.id.in_(ids))
        )
        found = {number_id: status for number_id, status in rows}
    return [found[i] for i in ids]


def grace_end(app, team_id):
    with app.app_context():
        return db.session.get(Team, team_id).grace_ends_at


def released_lines(app, team_id) -> list[str]:
    with app.app_context():
        return list(
            db.session.scalars(
                sa.select(AuditEvent.subject_id).where(
                    AuditEvent.team_id == team_id,
                    AuditEvent.action == "release",
                    AuditEvent.after["reason"].as_string() == "over_limit",
                )
            )
        )


def release_mail(app) -> list[tuple[str, str]]:
    """(to, subject) of each over-limit release email, in the order sent."""
    return [(m.to[0], m.subject) for m in mailbox(app) if "was released" in m.subject]


def sweep(app, now):
    with app.app_context():
        return enforce_limits(now)


def test_nothing_is_released_before_the_grace_ends(app, factory):
    member, ids = factory.over_limit(6, "starter")
    run = sweep(app, grace_end(app, member.team_id) - timedelta(minutes=1))
    assert run.released == 0
    assert statuses(app, ids) == ["active"] * 6


def test_at_the_end_the_numbers_not_kept_go_in_order_each_told_and_in_history(app, factory):
    member, ids = factory.over_limit(6, "starter")
    second_owner = factory.member(team_id=member.team_id, role="owner")
    with app.app_context():
        keep_numbers(actor_of(member), [ids[5]])
    run = sweep(app, grace_end(app, member.team_id) + timedelta(minutes=1))

    # Kept: 5. Then unassigned first (3, 1), then the newest assigned (4); 0 and 2 stay.
    expected = ["active", "released", "active", "released", "released", "active"]
    assert statuses(app, ids) == expected
    assert run.released == 3 and run.failed == 0
    assert sorted(released_lines(app, member.team_id)) == sorted([ids[1], ids[3], ids[4]])
    told = release_mail(app)
    assert len(told) == 6  # three numbers, two owners
    assert {to for to, _ in told} == {member.email, second_owner.email}
    assert grace_end(app, member.team_id) is None  # within its limit again


def test_a_second_run_does_nothing_more(app, factory):
    member, ids = factory.over_limit(6, "starter")
    end = grace_end(app, member.team_id) + timedelta(minutes=1)
    sweep(app, end)
    again = sweep(app, end + timedelta(minutes=5))
    assert (again.released, again.notices) == (0, 0)
    assert statuses(app, ids).count("released") == 3
    assert len(release_mail(app)) == 3


def test_a_free_team_with_a_former_trial_loses_it_at_the_end_unless_it_subscribes(
    app, client, factory
):
    """The Free rule: a trial that became a paid number on upgrade is not a trial again."""
    member = factory.member("free")
    trial = bought_id(client, member, sandbox_number("415", 0))
    with app.app_context():
        team = db.session.get(Team, member.team_id)
        change_plan(team, "starter", member.user_id)  # the trial is kept as a regular number
        change_plan(team, "free", member.user_id)  # the subscription ended
    assert grace_end(app, member.team_id) is not None
    sweep(app, grace_end(app, member.team_id) + timedelta(minutes=1))
    assert statuses(app, [trial]) == ["released"]


def test_an_order_still_completing_waits_for_the_next_run(app, factory):
    member, ids = factory.over_limit(4, "starter")
    with app.app_context():  # the only unassigned numbers: one still ordering, one active
        db.session.execute(
            sa.update(PhoneNumber).where(PhoneNumber.id != ids[0]).values(assistant_id=None)
        )
        db.session.execute(
            sa.update(PhoneNumber).where(PhoneNumber.id == ids[3]).values(status="pending")
        )
        db.session.commit()
    sweep(app, grace_end(app, member.team_id) + timedelta(minutes=1))
    # One over: the newest active one goes (the pending one cannot be released yet).
    assert statuses(app, ids) == ["active", "active", "released", "pending"]
    assert grace_end(app, member.team_id) is None


def test_a_release_the_provider_refuses_is_kept_and_tried_again(app, factory, monkeypatch):
    member, ids = factory.over_limit(4, "starter")
    end = grace_end(app, member.team_id) + timedelta(minutes=1)
    with app.app_context():
        provider = current_provider()
        real = provider.release

        def locked(provider_number_id):
            raise ProviderError("deletion lock")

        monkeypatch.setattr(provider, "release", locked)
        run = enforce_limits(end)
        assert (run.released, run.failed) == (0, 4)  # each candidate tried once, none lost
        monkeypatch.setattr(provider, "release", real)
        assert enforce_limits(end).released == 1
    assert statuses(app, ids).count("released") == 1


class Killed(BaseException):
    """The process dying: nothing after it runs, and its open transaction is lost."""


def test_killed_after_claiming_a_number_the_next_run_finishes_exactly(app, factory, monkeypatch):
    member, ids = factory.over_limit(6, "starter")
    end = grace_end(app, member.team_id) + timedelta(minutes=1)
    real = enforcement.finish_release
    calls = []

    def dies_on_the_second(number, *args):
        calls.append(number.id)
        if len(calls) == 2:
            raise Killed()
        return real(number, *args)

    monkeypatch.setattr(enforcement, "finish_release", dies_on_the_second)
    with app.app_context(), pytest.raises(Killed):
        enforce_limits(end)
    assert statuses(app, ids).count("released") == 1
    assert statuses(app, ids).count("releasing") == 1  # claimed, not yet given back
    assert release_mail(app) == []

    monkeypatch.setattr(enforcement, "finish_release", real)
    run = sweep(app, end + timedelta(minutes=1))
    assert statuses(app, ids) == ["active", "released", "active", "released", "active", "released"]
    assert run.released == 2  # the one claimed before, and one more: three in all
    assert len(release_mail(app)) == 3
    assert sweep(app, end + timedelta(minutes=2)).released == 0


def test_killed_before_the_emails_the_next_run_sends_them(app, factory, monkeypatch):
    member, ids = factory.over_limit(6, "starter")
    end = grace_end(app, member.team_id) + timedelta(minutes=1)

    def dies(_now):
        raise Killed()

    monkeypatch.setattr(enforcement, "send_release_notices", dies)
    with app.app_context(), pytest.raises(Killed):
        enforce_limits(end)
    assert statuses(app, ids).count("released") == 3 and release_mail(app) == []
    monkeypatch.undo()
    run = sweep(app, end + timedelta(minutes=1))
    assert (run.released, run.notices) == (0, 3)
    assert len(release_mail(app)) == 3


def test_killed_between_two_emails_the_next_run_sends_the_rest_once(app, factory, monkeypatch):
    member, ids = factory.over_limit(6, "starter")
    end = grace_end(app, member.team_id) + timedelta(minutes=1)
    from app import notices

    real, claims = notices.queue_once, []

    def dies_before_the_second(*args, **kwargs):
        if len(claims) == 1 and args[0] == "over_limit_release":
            raise Killed()
        if args[0] == "over_limit_release":
            claims.append(args)
        return real(*args, **kwargs)

    monkeypatch.setattr(notices, "queue_once", dies_before_the_second)
    with app.app_context(), pytest.raises(Killed):
        enforce_limits(end)
    assert len(release_mail(app)) == 1
    monkeypatch.undo()
    assert sweep(app, end + timedelta(minutes=1)).notices == 2
    sent = release_mail(app)
    assert len(sent) == 3 and len(set(sent)) == 3  # each number told once


def test_several_hosts_at_once_release_the_excess_once(app, factory):
    member, ids = factory.over_limit(8, "starter")
    end = grace_end(app, member.team_id) + timedelta(minutes=1)
    barrier = threading.Barrier(4)

    def host(_):
        with app.app_context():
            barrier.wait(timeout=30)
            return enforce_limits(end).released

    with ThreadPoolExecutor(4) as pool:
        released = list(pool.map(host, range(4)))
    assert sum(released) == 5
    assert statuses(app, ids).count("released") == 5
    assert len(release_mail(app)) == 5
    assert len(released_lines(app, member.team_id)) == 5


def test_a_team_found_over_its_limit_without_a_grace_gets_one_and_its_owners_an_email(app, factory):
    member = factory.member("starter")
    for i in range(5):
        factory.number(member, sandbox_number("718", i))
    now = utcnow()
    run = sweep(app, now)
    assert (run.started, run.released) == (1, 0)
    assert grace_end(app, member.team_id) == now + timedelta(days=7)
    (message,) = [m for m in mailbox(app) if "holds more numbers" in m.subject]
    assert message.to == [member.email]
    assert "This team holds 5 numbers and the Starter plan allows 3" in message.body
    assert f"/teams/{member.team_id}/plans/keep" in message.body
    assert sweep(app, now + timedelta(minutes=5)).notices == 0  # told once


def test_the_command_says_what_it_did(app, factory, runner):
    member, _ids = factory.over_limit(5, "starter")
    end = grace_end(app, member.team_id) + timedelta(minutes=1)
    result = runner.invoke(args=["teams", "enforce-limits", "--now", end.isoformat()])
    assert result.exit_code == 0, result.output
    assert result.output.strip().splitlines()[-1] == (
        "2 numbers released over their team's limit (0 graces started, 1 ended, 2 emails queued)"
    )
    bad = runner.invoke(args=["teams", "enforce-limits", "--now", "yesterday"])
    assert bad.exit_code != 0 and "ISO 8601" in bad.output
