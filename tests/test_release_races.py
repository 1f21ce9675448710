"""Undo racing the release sweep, sweeps on several hosts, and undos racing purchases for the
last slot: exactly one wins each race, on SQLite and PostgreSQL, because each step is one
conditional UPDATE (and the plan check runs under the team's row lock)."""

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import sqlalchemy as sa

from app.accounts.teams import actor_for
from app.exceptions import NumberUnavailable, PlanLimitReached, TooLateToUndo
from app.extensions import db
from app.models import PhoneNumber, User, utcnow
from app.numbers import releasing, sweeps
from app.numbers.purchasing import purchase_number
from app.plans.rules import held_count
from tests.helpers import sandbox_number


def scheduled(factory, member, count: int, *, due_in=timedelta(minutes=-1), area="415"):
    """`count` numbers of the member's team whose release is scheduled (due by default)."""
    ids = [factory.number(member, sandbox_number(area, i)) for i in range(count)]
    with factory.app.app_context():
        db.session.execute(
            sa.update(PhoneNumber)
            .where(PhoneNumber.id.in_(ids))
            .values(status="releasing", status_reason="scheduled", release_after=utcnow() + due_in)
        )
        db.session.commit()
    return ids


def at_once(app, calls):
    """Run each call (a function of an app context) from its own thread, started together."""
    barrier = threading.Barrier(len(calls))

    def run(call):
        with app.app_context():
            db.session.commit()  # hand the connection back: the pool is smaller than the race
            barrier.wait(timeout=30)
            try:
                return call()
            except (TooLateToUndo, PlanLimitReached, NumberUnavailable) as error:
                return type(error).__name__

    with ThreadPoolExecutor(len(calls)) as pool:
        return list(pool.map(run, calls))


def undo_by(member, number_id):
    def call():
        actor = actor_for(db.session.get(User, member.user_id), member.team_id)
        return releasing.undo_release(actor, number_id).number.status

    return call


def statuses(app, ids) -> list[str]:
    with app.app_context():
        found = dict(
            db.session.execute(
                sa.select(PhoneNumber.id, PhoneNumber.status).where(PhoneNumber.id.in_(ids))
            ).all()
        )
        return [found[i] for i in ids]


def test_undo_racing_the_sweep_exactly_one_wins_each_number(app, factory, monkeypatch):
    member = factory.member("scale")
    ids = scheduled(factory, member, 6)
    released: list[str] = []

    def slow_release(provider_number_id):
        released.append(provider_number_id)
        threading.Event().wait(0.01)  # keep the sweep busy while the undos land

    monkeypatch.setattr(app.extensions["phone_provider"], "release", slow_release)
    runs = [lambda: sweeps.release_due(utcnow()) for _ in range(2)]
    outcomes = at_once(app, [*runs, *(undo_by(member, i) for i in ids)])
    swept, undos = outcomes[:2], dict(zip(ids, outcomes[2:], strict=True))
    final = dict(zip(ids, statuses(app, ids), strict=True))
    for number_id in ids:
        # The undo won and the number is back, or the sweep won and the undo was too late.
        assert (undos[number_id], final[number_id]) in (
            ("active", "active"),
            ("TooLateToUndo", "released"),
        ), (undos[number_id], final[number_id])
    assert sum(swept) == list(final.values()).count("released") == len(released)
    assert len(released) == len(set(released))  # never released twice


def test_sweeps_on_several_hosts_release_each_number_once(app, factory, monkeypatch):
    member = factory.member("scale")
    scheduled(factory, member, 8)
    scheduled(factory, member, 2, due_in=timedelta(minutes=30), area="212")  # not due
    released: list[str] = []

    def slow_release(provider_number_id):
        released.append(provider_number_id)
        threading.Event().wait(0.02)  # long enough for the runs to overlap

    monkeypatch.setattr(app.extensions["phone_provider"], "release", slow_release)
    counts = at_once(app, [lambda: sweeps.release_due(utcnow()) for _ in range(4)])
    assert sum(counts) == 8
    assert len(released) == len(set(released)) == 8
    with app.app_context():
        left = db.session.scalars(
            sa.select(PhoneNumber.status_reason).where(PhoneNumber.status == "releasing")
        ).all()
        assert left == ["scheduled", "scheduled"]


def test_an_undo_and_a_purchase_racing_for_the_last_slot_one_wins(app, factory):
    member = factory.member("starter")
    factory.number(member, sandbox_number("303", 0))
    factory.number(member, sandbox_number("303", 1))
    (waiting,) = scheduled(factory, member, 1, due_in=timedelta(minutes=30))

    def buy():
        actor = actor_for(db.session.get(User, member.user_id), member.team_id)
        return purchase_number(actor, sandbox_number("303", 50)).number.status

    for _ in range(3):  # either may be first; whichever it is, the other is refused
        outcomes = at_once(app, [buy, undo_by(member, waiting)])
        assert sorted(outcomes) == ["PlanLimitReached", "active"], outcomes
        with app.app_context():
            assert held_count(member.team_id) == 3
            # Put the scene back: the number scheduled again, the purchase undone.
            db.session.execute(
                sa.delete(PhoneNumber).where(PhoneNumber.phone_number == sandbox_number("303", 50))
            )
            db.session.execute(
                sa.update(PhoneNumber)
                .where(PhoneNumber.id == waiting)
                .values(
                    status="releasing",
                    status_reason="scheduled",
                    release_after=utcnow() + timedelta(minutes=30),
                )
            )
            db.session.commit()


def test_two_undos_for_the_last_slot_one_wins(app, factory):
    member = factory.member("starter")
    factory.number(member, sandbox_number("303", 0))
    factory.number(member, sandbox_number("303", 1))
    first, second = scheduled(factory, member, 2, due_in=timedelta(minutes=30), area="212")
    outcomes = at_once(app, [undo_by(member, first), undo_by(member, second)])
    assert sorted(outcomes) == ["PlanLimitReached", "active"]
    assert sorted(statuses(app, [first, second])) == ["active", "releasing"]
    with app.app_context():
        assert held_count(member.team_id) == 3
