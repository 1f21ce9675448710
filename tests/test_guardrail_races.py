"""Racing purchases never pass a team's spend cap, and approvers racing over one request buy
it once, on SQLite and PostgreSQL: the team's lock and the request's conditional UPDATE
decide, not timing."""

from __future__ import annotations

import sqlalchemy as sa

from app.extensions import db
from app.guardrails.approvals import approve_request
from app.guardrails.requests import buy_or_ask
from app.guardrails.rules import spent_this_month
from app.models import HELD, PhoneNumber, PurchaseRequest, utcnow
from app.numbers.purchasing import purchase_number
from tests.factories import actor_of, guard
from tests.helpers import race, sandbox_number


def bought(app, team_id: str) -> list[PhoneNumber]:
    with app.app_context():
        rows = db.session.scalars(
            sa.select(PhoneNumber).where(
                PhoneNumber.team_id == team_id, PhoneNumber.status.in_(HELD)
            )
        ).all()
        db.session.expunge_all()
        return list(rows)


def test_racing_purchases_never_pass_the_cap(app, factory):
    owner = factory.member("scale")
    people = [owner] + [factory.member(team_id=owner.team_id, role="admin") for _ in range(3)]
    guard(app, owner, spend_cap="10.00")  # five $2.00 numbers
    calls = [
        (
            people[i % 4],
            lambda actor, i=i: purchase_number(actor, sandbox_number("617", i)).number.id,
        )
        for i in range(12)
    ]
    outcomes = race(app, calls)
    assert sum(o.startswith("pn_") for o in outcomes) == 5, outcomes
    assert outcomes.count("spend_cap_reached") == 7
    assert len(bought(app, owner.team_id)) == 5
    with app.app_context():
        assert spent_this_month(owner.team_id, utcnow())[0] == 10


def test_racing_members_never_pass_the_approval_amount_unasked(app, factory):
    """Members buy freely up to $4.00 this month; past it, each Buy waits for approval."""
    owner = factory.member("scale")
    members = [factory.member(team_id=owner.team_id, role="member") for _ in range(3)]
    guard(app, owner, approval_required=True, approval_above="4.00")

    def buy(actor, index):
        outcome = buy_or_ask(actor, sandbox_number("303", index))
        return "asked" if isinstance(outcome, PurchaseRequest) else "bought"

    outcomes = race(app, [(members[i % 3], lambda a, i=i: buy(a, i)) for i in range(6)])
    assert sorted(outcomes) == ["asked"] * 4 + ["bought"] * 2, outcomes
    assert len(bought(app, owner.team_id)) == 2


def test_approvers_racing_over_one_request_buy_it_once(app, factory):
    owner = factory.member("scale")
    approvers = [owner] + [factory.member(team_id=owner.team_id, role="admin") for _ in range(3)]
    member = factory.member(team_id=owner.team_id, role="member")
    guard(app, owner, approval_required=True)
    number = sandbox_number("512", 3)
    with app.app_context():
        request_id = buy_or_ask(actor_of(member), number).id

    def approve(actor):
        approval = approve_request(actor, request_id)
        return "again" if approval.again else approval.number.id

    outcomes = race(app, [(person, approve) for person in approvers])
    firsts = [o for o in outcomes if o.startswith("pn_")]
    assert len(firsts) == 1, outcomes
    # The others were told it is decided: being approved right now (409), or done already.
    assert all(o in ("again", "conflict") for o in outcomes if o not in firsts), outcomes
    (number_row,) = bought(app, owner.team_id)
    assert (number_row.id, number_row.phone_number) == (firsts[0], number)
    assert number_row.created_by_id == member.user_id  # the member who asked is the buyer
    with app.app_context():
        request = db.session.get(PurchaseRequest, request_id)
        assert (request.status, request.phone_number_id) == ("approved", firsts[0])
