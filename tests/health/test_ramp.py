"""The warm-up ramp, literally: calls a day allowed at each age, and how today's calls are
counted (the call log first, campaign selections where the log has none)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from app.extensions import db
from app.health.ramp import RAMP, age_days, calls_today, ramp_limit, ramp_stage
from app.models import Call, CampaignNumber, PhoneNumber

NOW = datetime(2026, 12, 7, 15, 0, tzinfo=UTC)


def test_the_table_as_written():
    assert RAMP == ((1, 7, 20), (8, 14, 50), (15, 30, 100), (31, None, 150))


@pytest.mark.parametrize(
    ("age", "limit", "stage"),
    [
        (1, 20, "days 1–7"),
        (7, 20, "days 1–7"),
        (8, 50, "days 8–14"),
        (14, 50, "days 8–14"),
        (15, 100, "days 15–30"),
        (30, 100, "days 15–30"),
        (31, 150, "day 31 on"),
        (400, 150, "day 31 on"),
    ],
)
def test_limit_and_stage_by_age(age, limit, stage):
    assert ramp_limit(age) == limit
    assert ramp_stage(age) == stage


def test_age_counts_from_activation_day_one_first(app, factory):
    owner = factory.member("growth")
    number_id = factory.number(owner, "+14155550100", activated_at=NOW - timedelta(hours=23))
    with app.app_context():
        number = db.session.get(PhoneNumber, number_id)
        assert age_days(number, NOW) == 1
        number.activated_at = NOW - timedelta(days=7, minutes=1)
        assert age_days(number, NOW) == 8


def _call(number_id, team_id, at, *, direction="outbound", is_test=False):
    db.session.add(
        Call(
            team_id=team_id,
            phone_number_id=number_id,
            number="+14155550100",
            direction=direction,
            from_number="+14155550100",
            to_number="+12125550123",
            outcome="answered",
            provider="sandbox",
            is_test=is_test,
            started_at=at,
        )
    )


def test_calls_today_from_the_log_then_campaign_selections(app, factory):
    owner = factory.member("growth")
    logged = factory.number(owner, "+14155550100")
    chosen = factory.number(owner, "+14155550101")
    idle = factory.number(owner, "+14155550102")
    with app.app_context():
        for minutes in (5, 10, 15):
            _call(logged, owner.team_id, NOW - timedelta(minutes=minutes))
        _call(logged, owner.team_id, NOW - timedelta(days=1))  # yesterday: not today
        _call(logged, owner.team_id, NOW - timedelta(minutes=1), direction="inbound")
        _call(logged, owner.team_id, NOW - timedelta(minutes=2), is_test=True)
        from app.campaigns.service import create_campaign
        from tests.factories import actor_of

        campaign = create_campaign(actor_of(owner), {"name": "Outreach"})
        db.session.add(
            CampaignNumber(
                phone_number_id=chosen,
                campaign_id=campaign.id,
                team_id=owner.team_id,
                country="US",
                area_code="415",
                used_on=NOW.date(),
                used_today=7,
            )
        )
        db.session.commit()
        usage = calls_today([logged, chosen, idle], NOW)
        assert (usage[logged].calls, usage[logged].source) == (3, "call_log")
        assert (usage[chosen].calls, usage[chosen].source) == (7, "campaign")
        assert (usage[idle].calls, usage[idle].source) == (0, "none")
