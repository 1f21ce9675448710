"""Choosing the caller ID: locality order, stickiness, caps and cool-down, and what is never
chosen (paused campaigns, numbers on their way out, other teams' numbers)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from app.campaigns.selector import choose_caller_id
from app.exceptions import NoCallerId, ValidationFailed
from app.extensions import db
from app.models import CampaignNumber, CampaignRecipient, PhoneNumber, Team
from tests.campaigns.helpers import campaign, make_campaign
from tests.helpers import race, sandbox_number

NOW = datetime(2026, 12, 7, 15, 0, tzinfo=UTC)


def choose(member, campaign_id: str, to: str, now: datetime = NOW) -> tuple[str, str]:
    team = db.session.get(Team, member.team_id)
    choice = choose_caller_id(team, campaign(campaign_id), to, now)
    return choice.phone_number, choice.reason


@pytest.fixture
def pool(app, factory):
    """San Francisco, Los Angeles, New York City and northern New Jersey."""
    owner = factory.member("scale")
    numbers = [sandbox_number(a, 0) for a in ("415", "213", "212", "201")]
    campaign_id, ids = make_campaign(app, factory, owner, numbers)
    return owner, campaign_id, dict(zip(numbers, ids, strict=True))


def test_locality_order(app, pool):
    owner, campaign_id, _ = pool
    with app.app_context():
        # Each recipient once (stickiness plays no part), in an order whose answers it fixes.
        assert choose(owner, campaign_id, "+14155550199") == ("+14155550100", "area_code")
        # Los Angeles' 310 is California: the Californian number used least today (213).
        assert choose(owner, campaign_id, "+13105550199") == ("+12135550100", "region")
        assert choose(owner, campaign_id, "+15185550199") == ("+12125550100", "region")
        # Delaware has none: New Jersey's centre is nearer than New York's.
        assert choose(owner, campaign_id, "+13025550199") == ("+12015550100", "nearest")
        # Ontario has none either: New York is the nearest region that has one.
        assert choose(owner, campaign_id, "+16135550199") == ("+12125550100", "nearest")
        # Toll-free is in no state: any US number, the one used least today (415: once).
        assert choose(owner, campaign_id, "+18005550199") == ("+14155550100", "country")
        # London: no number in the country, so any, least used today (213 and 415: twice).
        assert choose(owner, campaign_id, "+442079460000") == ("+12135550100", "any")


def test_least_used_today_within_a_rule(app, factory):
    owner = factory.member("scale")
    numbers = [sandbox_number("415", i) for i in range(3)]
    campaign_id, _ = make_campaign(app, factory, owner, numbers)
    with app.app_context():
        chosen = [choose(owner, campaign_id, f"+1415555{i:04d}")[0] for i in range(200, 206)]
        assert chosen == numbers + numbers  # each once before any twice
        used = db.session.scalars(sa.select(CampaignNumber.used_today)).all()
        assert sorted(used) == [2, 2, 2]


def test_the_same_recipient_keeps_their_number(app, pool):
    owner, campaign_id, _ = pool
    with app.app_context():
        first = choose(owner, campaign_id, "+13105550123")
        assert first == ("+14155550100", "region")  # 415 and 213 unused: 213's id is not first
        # 213 is now used least, but the recipient sees the number they saw.
        later = NOW + timedelta(days=29)
        assert choose(owner, campaign_id, "+13105550123", later) == ("+14155550100", "sticky")
        # Past CAMPAIGN_STICKY_DAYS (30) from the last call, the choice is made afresh.
        gone = later + timedelta(days=31)
        assert choose(owner, campaign_id, "+13105550123", gone)[1] == "region"
        stored = db.session.scalars(sa.select(CampaignRecipient.recipient_hash)).all()
        assert "+13105550123" not in stored and "13105550123" not in "".join(stored)


def test_daily_cap_and_cooldown(app, factory):
    owner = factory.member("scale")
    campaign_id, _ = make_campaign(
        app, factory, owner, [sandbox_number("415", 0)], dailyCap=2, cooldownSeconds=60
    )
    with app.app_context():
        assert choose(owner, campaign_id, "+14155550201")[1] == "area_code"
        with pytest.raises(NoCallerId):  # cooling down for a minute
            choose(owner, campaign_id, "+14155550202", NOW + timedelta(seconds=59))
        assert choose(owner, campaign_id, "+14155550202", NOW + timedelta(seconds=60))
        with pytest.raises(NoCallerId):  # the day's two calls are spent, sticky or not
            choose(owner, campaign_id, "+14155550201", NOW + timedelta(hours=1))
        tomorrow = NOW + timedelta(days=1)
        assert choose(owner, campaign_id, "+14155550203", tomorrow) == (
            "+14155550100",
            "area_code",
        )


def test_never_paused_resting_releasing_or_pending(app, factory):
    owner = factory.member("scale")
    numbers = [sandbox_number("415", i) for i in range(4)]
    campaign_id, ids = make_campaign(app, factory, owner, numbers)
    with app.app_context():
        db.session.get(PhoneNumber, ids[0]).release_after = NOW + timedelta(hours=1)
        db.session.get(PhoneNumber, ids[1]).status = "pending"
        db.session.get(CampaignNumber, ids[2]).rest_until = NOW + timedelta(days=3)
        db.session.commit()
        assert {choose(owner, campaign_id, f"+1415555{i:04d}")[0] for i in range(3)} == {numbers[3]}
        campaign(campaign_id).paused = True
        db.session.commit()
        with pytest.raises(NoCallerId, match="paused"):
            choose(owner, campaign_id, "+14155550999")


def test_never_another_teams_campaign(app, factory, pool):
    owner, campaign_id, _ = pool
    stranger = factory.member("scale")
    with app.app_context(), pytest.raises(NoCallerId):
        choose(stranger, campaign_id, "+14155550199")


@pytest.mark.parametrize("to", ["", "4155550199", "+1415", "+1 415 555 0199x", 14155550199, None])
def test_a_bad_recipient_is_refused(app, pool, to):
    owner, campaign_id, _ = pool
    with app.app_context(), pytest.raises(ValidationFailed) as refused:
        choose(owner, campaign_id, to)
    assert list(refused.value.fields) == ["to"]


def test_fifty_parallel_selections_never_pass_the_caps(app, factory):
    """Five numbers capped at four calls a day: 20 of 50 racing selections get one."""
    owner = factory.member("scale")
    numbers = [sandbox_number("617", i) for i in range(5)]
    campaign_id, _ = make_campaign(app, factory, owner, numbers, dailyCap=4)

    def select(actor, i):
        team = db.session.get(Team, actor.team.id)
        return choose_caller_id(team, campaign(campaign_id), f"+1617555{i:04d}", NOW).phone_number

    outcomes = race(app, [(owner, lambda a, i=i: select(a, i)) for i in range(50)])
    assert sorted(o for o in outcomes if o.startswith("+")) == sorted(numbers * 4)
    assert outcomes.count("no_caller_id") == 30
    with app.app_context():
        used = db.session.scalars(sa.select(CampaignNumber.used_today)).all()
        assert used == [4] * 5


def test_fifty_parallel_api_calls_never_pass_the_caps(app, factory):
    """The same race through the API, whose claim runs without a transaction (one statement
    on PostgreSQL): five numbers capped at three, 50 racing calls, 15 answered."""
    import threading
    from concurrent.futures import ThreadPoolExecutor

    owner = factory.member("scale")
    numbers = [sandbox_number("617", i) for i in range(5)]
    campaign_id, _ = make_campaign(app, factory, owner, numbers, dailyCap=3)
    barrier = threading.Barrier(50)

    def call(i: int) -> tuple[int, str]:
        client = app.test_client()
        barrier.wait(timeout=30)
        answer = client.post(
            f"/api/campaigns/{campaign_id}/caller-id",
            json={"to": f"+1617555{i:04d}"},
            headers={"Authorization": f"Bearer {owner.token}"},
        )
        body = answer.get_json()
        return answer.status_code, body["phoneNumber"][
            "phoneNumber"
        ] if answer.status_code == 200 else body["error"]["code"]

    with ThreadPoolExecutor(50) as threads:
        outcomes = list(threads.map(call, range(50)))
    assert sorted(n for status, n in outcomes if status == 200) == sorted(numbers * 3)
    assert outcomes.count((409, "no_caller_id")) == 35
    with app.app_context():
        used = db.session.scalars(sa.select(CampaignNumber.used_today)).all()
        assert used == [3] * 5


def test_a_choice_through_the_api_is_three_statements_on_postgresql(app, factory):
    """The token, the campaign's settings, and one statement that picks, counts and remembers
    (SQLite, without data-modifying CTEs, picks, counts and remembers in three)."""
    from tests.factories import counting

    owner = factory.member("scale")
    campaign_id, _ = make_campaign(app, factory, owner, [sandbox_number("415", 0)])
    client = app.test_client()

    def call(to: str):
        path = f"/api/campaigns/{campaign_id}/caller-id"
        return client.post(path, json={"to": to}, headers=owner.headers)

    assert call("+14155550101").status_code == 200  # the token's last-used time is written once
    with counting(app) as statements:
        answer = call("+14155550102")
    assert answer.get_json()["reason"] == "area_code"
    postgresql = app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql")
    assert len(statements) == (3 if postgresql else 5)
