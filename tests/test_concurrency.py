"""Racing purchases never break a plan or hold a number twice, on SQLite and PostgreSQL."""

import threading
from concurrent.futures import ThreadPoolExecutor

import sqlalchemy as sa

from app.accounts.teams import actor_for
from app.exceptions import NumberUnavailable, PlanLimitReached
from app.extensions import db
from app.models import HELD, PhoneNumber, User
from app.numbers.purchasing import purchase_number
from tests.helpers import sandbox_number


def race(app, attempts):
    """Run (user_id, team_id, number) purchases at once; return what each raised or bought."""
    barrier = threading.Barrier(len(attempts))

    def attempt(args):
        user_id, team_id, number = args
        with app.app_context():
            actor = actor_for(db.session.get(User, user_id), team_id)
            db.session.commit()  # hand the connection back: the pool is smaller than the race
            barrier.wait(timeout=30)
            try:
                return purchase_number(actor, number).number.id
            except (PlanLimitReached, NumberUnavailable) as error:
                return type(error).__name__

    with ThreadPoolExecutor(len(attempts)) as pool:
        return list(pool.map(attempt, attempts))


def held_count(app, team_id):
    with app.app_context():
        return db.session.scalar(
            sa.select(sa.func.count()).where(
                PhoneNumber.team_id == team_id, PhoneNumber.status.in_(HELD)
            )
        )


def test_racing_for_the_last_slot_only_one_wins(app, factory):
    member = factory.member("starter")
    with app.app_context():
        actor = actor_for(db.session.get(User, member.user_id), member.team_id)
        for index in range(2):
            purchase_number(actor, sandbox_number("303", index))
    outcomes = race(
        app, [(member.user_id, member.team_id, sandbox_number("303", 10 + i)) for i in range(8)]
    )
    assert sum(o.startswith("pn_") for o in outcomes) == 1
    assert outcomes.count("PlanLimitReached") == 7
    assert held_count(app, member.team_id) == 3


def test_racing_free_team_gets_exactly_one_trial(app, factory):
    member = factory.member("free")
    outcomes = race(
        app, [(member.user_id, member.team_id, sandbox_number("303", i)) for i in range(6)]
    )
    assert sum(o.startswith("pn_") for o in outcomes) == 1
    assert held_count(app, member.team_id) == 1


def test_racing_teams_for_one_number_only_one_holds_it(app, factory):
    members = [factory.member("growth") for _ in range(6)]
    number = sandbox_number("512", 7)
    outcomes = race(app, [(m.user_id, m.team_id, number) for m in members])
    assert sum(o.startswith("pn_") for o in outcomes) == 1
    assert outcomes.count("NumberUnavailable") == 5
    with app.app_context():
        assert (
            db.session.scalar(sa.select(sa.func.count()).where(PhoneNumber.phone_number == number))
            == 1
        )


def test_many_members_of_one_team_never_exceed_growth(app, factory):
    owner = factory.member("growth")
    users = [owner.user_id] + [factory.member(team_id=owner.team_id).user_id for _ in range(3)]
    attempts = [(users[i % 4], owner.team_id, sandbox_number("617", i)) for i in range(12)]
    outcomes = race(app, attempts)
    assert sum(o.startswith("pn_") for o in outcomes) == 10
    assert held_count(app, owner.team_id) == 10
