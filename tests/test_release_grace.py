"""A release waits out RELEASE_GRACE_MINUTES: the plan count frees at once, Undo restores the
number as it was (if it still fits the plan), and the release sweep gives it back after."""

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from app.assistants import service as assistants
from app.exceptions import PlanLimitReached, TooLateToUndo
from app.extensions import db
from app.models import AuditEvent, PhoneNumber, utcnow
from app.numbers import releasing, sweeps
from app.numbers.settling import sync
from app.plans.rules import held_count
from app.providers.base import ProviderError
from tests.factories import actor_of
from tests.helpers import bought_id, sandbox_number

LATER = timedelta(minutes=61)


@pytest.fixture
def provider_calls(app, monkeypatch) -> list[str]:
    """Every release the provider is asked for (the sandbox's own does nothing either)."""
    calls: list[str] = []
    monkeypatch.setattr(app.extensions["phone_provider"], "release", calls.append)
    return calls


def release(app, member, number_id) -> PhoneNumber:
    with app.app_context():
        number = releasing.release_number(actor_of(member), number_id)
        db.session.expunge(number)
        return number


def undo(app, member, number_id) -> releasing.Undone:
    with app.app_context():
        return releasing.undo_release(actor_of(member), number_id)


def stored(app, number_id) -> PhoneNumber:
    with app.app_context():
        number = db.session.get(PhoneNumber, number_id)
        db.session.expunge(number)
        return number


def held(app, member) -> int:
    with app.app_context():
        return held_count(member.team_id)


def sweep(app, after: timedelta = LATER) -> int:
    with app.app_context():
        return sweeps.release_due(utcnow() + after)


def history(app, number_id) -> list[str]:
    with app.app_context():
        return list(
            db.session.scalars(
                sa.select(AuditEvent.action)
                .where(AuditEvent.subject_id == number_id)
                .order_by(AuditEvent.created_at, AuditEvent.id)
            )
        )


def test_undo_within_the_window_restores_its_assistant_and_label(app, factory, provider_calls):
    member = factory.member("growth")
    number_id = factory.number(member, sandbox_number("415", 0), label="Front desk")
    assistant = factory.assistant(member, "Sales Agent", [number_id])
    assert held(app, member) == 1
    scheduled = release(app, member, number_id)
    assert (scheduled.status, scheduled.status_reason) == ("releasing", "scheduled")
    due = scheduled.release_after - datetime.now(UTC)
    assert timedelta(minutes=59) < due <= timedelta(minutes=60)
    # It keeps its assistant and label through the window, and stops counting at once.
    assert (scheduled.assistant_id, scheduled.label) == (assistant, "Front desk")
    assert held(app, member) == 0
    undone = undo(app, member, number_id)
    assert undone.lost_assistant is None and undone.eligibility["currentCount"] == 1
    back = stored(app, number_id)
    assert (back.status, back.status_reason, back.release_after) == ("active", None, None)
    assert (back.assistant_id, back.label) == (assistant, "Front desk")
    assert held(app, member) == 1
    assert sweep(app) == 0 and provider_calls == []  # nothing left to release
    assert history(app, number_id)[-2:] == ["release_schedule", "release_undo"]


def test_a_full_team_releases_one_and_buys_another_at_once_then_undo_does_not_fit(
    app, client, factory
):
    member = factory.member("starter")
    ids = [bought_id(client, member, sandbox_number("303", i)) for i in range(3)]
    release(app, member, ids[0])
    bought_id(client, member, sandbox_number("303", 3))  # the freed slot, straight away
    with pytest.raises(PlanLimitReached) as refused:
        undo(app, member, ids[0])
    assert refused.value.eligibility == {
        "currentCount": 3,
        "maxAllowed": 3,
        "hasSubscription": True,
        "planName": "Starter",
    }
    assert refused.value.message == (
        f"{sandbox_number('303', 0)} cannot come back: the Starter plan allows 3 numbers and "
        "this team holds 3 now. Release another number first, or choose a larger plan, then "
        "undo again before the release is done."
    )
    assert stored(app, ids[0]).release_scheduled  # refused: nothing changed
    release(app, member, ids[1])  # make room: now it fits
    assert undo(app, member, ids[0]).number.status == "active"
    assert held(app, member) == 3


def test_too_late_once_the_sweep_has_released_it(app, factory, provider_calls):
    member = factory.member("growth")
    number_id = factory.number(member, sandbox_number("415", 0))
    release(app, member, number_id)
    assert sweep(app, timedelta(minutes=59)) == 0  # not due yet
    assert sweep(app) == 1
    assert provider_calls == [f"sandbox-{sandbox_number('415', 0)[1:]}"]
    gone = stored(app, number_id)
    with pytest.raises(TooLateToUndo) as late:
        undo(app, member, number_id)
    assert late.value.status == 409 and late.value.code == "number_unavailable"
    assert late.value.message == (
        f"Too late to undo: {gone.phone_number} was released at "
        f"{gone.released_at.strftime('%d %b %Y, %H:%M UTC')}."
    )
    assert history(app, number_id)[-2:] == ["release_schedule", "release"]


def test_a_sweep_killed_after_its_claim_is_finished_by_sync_and_too_late_to_undo(
    app, factory, monkeypatch
):
    member = factory.member("growth")
    number_id = factory.number(member, sandbox_number("415", 0))
    release(app, member, number_id)

    def killed(_provider_number_id):
        raise SystemExit("killed while asking the provider")

    monkeypatch.setattr(app.extensions["phone_provider"], "release", killed)
    with pytest.raises(SystemExit):
        sweep(app)
    claimed = stored(app, number_id)
    assert (claimed.status, claimed.status_reason) == ("releasing", "release")
    assert held(app, member) == 0  # still not counted: it is on its way out
    with pytest.raises(TooLateToUndo, match="is being released at the provider now"):
        undo(app, member, number_id)
    monkeypatch.undo()
    with app.app_context():
        assert sync(timedelta(0)) == (1, 1)
    assert stored(app, number_id).status == "released"


def test_a_provider_refusal_keeps_it_scheduled_for_the_next_run(app, factory, monkeypatch):
    member = factory.member("growth")
    number_id = factory.number(member, sandbox_number("415", 0))
    release(app, member, number_id)

    def locked(_provider_number_id):
        raise ProviderError("Deletion lock is enabled.")

    monkeypatch.setattr(app.extensions["phone_provider"], "release", locked)
    assert sweep(app) == 0
    kept = stored(app, number_id)
    assert kept.release_scheduled and held(app, member) == 0
    with app.app_context():
        assert sync(timedelta(0)) == (0, 0)  # the sweep's, not sync's
    monkeypatch.undo()
    assert sweep(app) == 1
    assert stored(app, number_id).status == "released"


def test_undo_after_its_assistant_was_deleted_comes_back_unassigned_and_says_so(app, factory):
    member = factory.member("growth")
    number_id = factory.number(member, sandbox_number("415", 0))
    assistant = factory.assistant(member, "Sales Agent", [number_id])
    release(app, member, number_id)
    with app.app_context():
        actor = actor_of(member)
        assistants.delete_assistant(actor, assistants.team_assistant(actor.team, assistant))
    undone = undo(app, member, number_id)
    assert undone.lost_assistant == "Sales Agent"
    assert releasing.back_message(undone, "(415) 555-0100") == (
        "(415) 555-0100 is back, unassigned: its assistant Sales Agent was deleted meanwhile."
    )
    assert stored(app, number_id).assistant_id is None


def test_unassigned_on_purpose_is_not_a_deleted_assistant(app, factory):
    member = factory.member("growth")
    number_id = factory.number(member, sandbox_number("415", 0))
    factory.assistant(member, "Sales Agent", [number_id])
    release(app, member, number_id)
    with app.app_context():
        number = db.session.get(PhoneNumber, number_id)
        assistants.unassign_number(actor_of(member), number.assistant, number_id)
    with app.app_context():
        undone = releasing.undo_release(actor_of(member), number_id)
        assert undone.lost_assistant is None
        assert releasing.back_message(undone, "(415) 555-0100") == (
            "(415) 555-0100 is back, unassigned, as before its release."
        )


def test_a_trials_window_ends_with_the_trial(app, factory):
    member = factory.member("free")
    ends = utcnow() + timedelta(minutes=10)
    number_id = factory.number(
        member, sandbox_number("415", 0), is_trial=True, trial_expires_at=ends
    )
    assert release(app, member, number_id).release_after == ends
    assert undo(app, member, number_id).number.is_trial  # the same trial, nothing new
    release(app, member, number_id)
    with app.app_context():
        db.session.execute(
            sa.update(PhoneNumber).values(trial_expires_at=utcnow() - timedelta(seconds=1))
        )
        db.session.commit()
    with pytest.raises(TooLateToUndo, match="its free trial ended at"):
        undo(app, member, number_id)
    assert sweep(app, timedelta(minutes=11)) == 1  # due at the trial end it was given


def test_a_trial_already_over_is_released_at_once(app, factory, provider_calls):
    member = factory.member("free")
    ended = utcnow() - timedelta(minutes=1)
    number_id = factory.number(
        member, sandbox_number("415", 0), is_trial=True, trial_expires_at=ended
    )
    assert release(app, member, number_id).status == "released"
    assert len(provider_calls) == 1


def test_undoing_a_number_that_is_back_already_succeeds_again(app, factory):
    member = factory.member("growth")
    number_id = factory.number(member, sandbox_number("415", 0))
    release(app, member, number_id)
    undo(app, member, number_id)
    again = undo(app, member, number_id)
    assert again.number.status == "active" and again.eligibility["currentCount"] == 1
    assert history(app, number_id).count("release_undo") == 1


def test_with_no_window_a_release_is_done_at_once(app, factory, provider_calls, release_at_once):
    member = factory.member("growth")
    number_id = factory.number(member, sandbox_number("415", 0))
    done = release(app, member, number_id)
    assert (done.status, done.release_after) == ("released", None)
    assert len(provider_calls) == 1 and history(app, number_id) == ["release"]
    with pytest.raises(TooLateToUndo):
        undo(app, member, number_id)


def test_trial_expiry_and_sync_leave_a_scheduled_release_to_the_sweep(app, factory, runner):
    member = factory.member("free")
    number_id = factory.number(
        member, sandbox_number("415", 0), is_trial=True, trial_expires_at=utcnow()
    )
    with app.app_context():  # scheduled an hour ago, before the trial ended
        db.session.execute(
            sa.update(PhoneNumber).values(
                status="releasing", status_reason="scheduled", release_after=utcnow()
            )
        )
        db.session.commit()
    later = (datetime.now(UTC) + timedelta(minutes=5)).isoformat()
    expired = runner.invoke(args=["numbers", "expire-trials", "--now", later])
    assert expired.stdout.strip() == "0 expired trial numbers released"
    synced = runner.invoke(args=["numbers", "sync", "--grace", "0"])
    assert synced.stdout.strip() == "0 of 0 pending numbers settled"
    swept = runner.invoke(args=["numbers", "release-due", "--now", later])
    assert swept.exit_code == 0 and swept.stdout.strip() == "1 numbers released as scheduled"
    assert stored(app, number_id).status == "released"


def test_release_due_refuses_a_bad_time(runner):
    result = runner.invoke(args=["numbers", "release-due", "--now", "in an hour"])
    assert result.exit_code == 1 and "ISO 8601" in result.stderr
