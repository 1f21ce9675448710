"""Racing holds: one team holds a number at a time, and a hold and a purchase by another team
never both win, on SQLite and PostgreSQL."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import sqlalchemy as sa

from app.accounts.teams import actor_for
from app.exceptions import NumberUnavailable
from app.extensions import db
from app.models import HELD, CartItem, PhoneNumber, User
from app.numbers.cart import hold_number
from app.numbers.purchasing import purchase_number
from tests.helpers import sandbox_number

NUMBER = sandbox_number("206", 7)


def race(app, attempts):
    """Run (action, user_id, team_id) at once; each answers "held", "bought" or the refusal."""
    barrier = threading.Barrier(len(attempts))

    def attempt(args):
        action, user_id, team_id = args
        with app.app_context():
            actor = actor_for(db.session.get(User, user_id), team_id)
            db.session.commit()  # hand the connection back: the pool is smaller than the race
            barrier.wait(timeout=30)
            try:
                if action == "hold":
                    hold_number(actor, NUMBER)
                    return "held"
                purchase_number(actor, NUMBER)
                return "bought"
            except NumberUnavailable:
                return "unavailable"

    with ThreadPoolExecutor(len(attempts)) as pool:
        return list(pool.map(attempt, attempts))


def holders(app) -> tuple[list[str], list[str]]:
    with app.app_context():
        carts = db.session.scalars(sa.select(CartItem.team_id)).all()
        owners = db.session.scalars(
            sa.select(PhoneNumber.team_id).where(PhoneNumber.status.in_(HELD))
        ).all()
    return list(carts), list(owners)


def test_six_teams_hold_the_same_number_at_once_and_one_gets_it(app, factory):
    teams = [factory.member("growth") for _ in range(6)]
    outcomes = race(app, [("hold", m.user_id, m.team_id) for m in teams])
    assert sorted(outcomes) == ["held"] + ["unavailable"] * 5
    carts, owners = holders(app)
    assert len(carts) == 1 and owners == []


def test_a_hold_and_other_teams_purchases_never_both_win(app, factory):
    teams = [factory.member("growth") for _ in range(4)]
    attempts = [("hold", teams[0].user_id, teams[0].team_id)]
    attempts += [("buy", m.user_id, m.team_id) for m in teams[1:]]
    outcomes = race(app, attempts)
    carts, owners = holders(app)
    # Whoever came first keeps the number; a hold and a purchase never both stand.
    assert len(carts) + len(owners) == 1, (outcomes, carts, owners)
    assert sorted(outcomes).count("unavailable") == 3


def test_members_filling_the_cart_at_once_never_pass_its_cap(app, factory):
    """25 members each hold a different number at once: the cart's 20 is counted under the
    team's lock, so 20 are held and 5 refused (each person is far from their own cap)."""
    from app.exceptions import Conflict
    from app.numbers.cart import MAX_CART
    from tests.helpers import race as race_members

    owner = factory.member("scale")
    members = [owner] + [factory.member(team_id=owner.team_id) for _ in range(24)]

    def hold(actor, index):
        try:
            hold_number(actor, sandbox_number("425", index))
        except Conflict:
            return "full"
        return "held"

    outcomes = race_members(app, [(m, lambda a, i=i: hold(a, i)) for i, m in enumerate(members)])

    assert MAX_CART == 20
    assert sorted(outcomes) == ["full"] * 5 + ["held"] * 20, outcomes
    carts, _ = holders(app)
    assert len(carts) == 20
