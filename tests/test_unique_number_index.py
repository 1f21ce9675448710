"""The database's partial unique index is what finally keeps a number to one team: when two
teams race, each checks that nobody holds the number before either has committed, and the
loser's insert meets the index. These tests make the check miss on purpose (as a race does) so
that path runs on every database, every time, not only when threads happen to collide."""

from dataclasses import replace

import sqlalchemy as sa

from app.extensions import db
from app.models import HELD, PhoneNumber
from app.numbers import purchasing
from tests.helpers import assert_error, bought_id, buy, listed, sandbox_number

NUMBER = sandbox_number("512", 7)


def check_misses_the_holder(monkeypatch):
    """The loser's check ran before the winner committed: it saw nobody holding the number."""
    real = purchasing.purchase_check

    def raced(*args, **kwargs):
        return replace(real(*args, **kwargs), holder_team=None, holder_status=None)

    monkeypatch.setattr(purchasing, "purchase_check", raced)


def test_the_loser_of_a_race_for_one_number_is_told_it_was_just_taken(
    app, client, factory, monkeypatch
):
    winner, loser = factory.member("growth"), factory.member("growth")
    bought_id(client, winner, NUMBER)
    check_misses_the_holder(monkeypatch)
    body = assert_error(buy(client, loser, NUMBER), 409, "number_unavailable")
    assert body["error"]["message"] == f"{NUMBER} was just taken on this platform."
    with app.app_context():
        holders = db.session.scalars(
            sa.select(PhoneNumber.team_id).where(
                PhoneNumber.phone_number == NUMBER, PhoneNumber.status.in_(HELD)
            )
        ).all()
    assert holders == [winner.team_id]
    assert listed(client, loser).get_json()["numbers"] == []


def test_the_loser_can_buy_another_number_straight_after(client, factory, monkeypatch):
    winner, loser = factory.member("growth"), factory.member("growth")
    bought_id(client, winner, NUMBER)
    check_misses_the_holder(monkeypatch)
    assert buy(client, loser, NUMBER).status_code == 409
    # The failed insert was rolled back whole: the session and the team's lock are free again.
    assert buy(client, loser, sandbox_number("512", 8)).status_code == 200
