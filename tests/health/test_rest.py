"""Rest: the caller-ID selector skips a resting number until its rest ends or it is woken;
the API's Rest and Wake, their History, roles, validation and other teams' numbers."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from app.campaigns import pool as pools
from app.campaigns.selector import choose_caller_id
from app.exceptions import NoCallerId
from app.extensions import db
from app.health.rest import rest_number, wake_number
from app.models import AuditEvent, CampaignNumber, PhoneNumber, Team
from tests.campaigns.helpers import campaign, make_campaign
from tests.factories import actor_of

NOW = datetime(2026, 12, 7, 15, 0, tzinfo=UTC)
A, B = "+14155550100", "+14155550101"


def chosen(member, campaign_id, to="+14155550150", now=NOW) -> str:
    team = db.session.get(Team, member.team_id)
    return choose_caller_id(team, campaign(campaign_id), to, now).phone_number


@pytest.fixture
def outreach(app, factory):
    owner = factory.member("scale")
    campaign_id, ids = make_campaign(app, factory, owner, [A, B], cooldownSeconds=0)
    return owner, campaign_id, dict(zip((A, B), ids, strict=True))


def test_the_selector_skips_a_resting_number_until_its_rest_ends(app, outreach):
    owner, campaign_id, ids = outreach
    with app.app_context():
        rest_number(actor_of(owner), db.session.get(PhoneNumber, ids[A]), 3, NOW)
        # Different recipients (no stickiness): each time the only one awake.
        picks = {chosen(owner, campaign_id, f"+1415555{i:04d}") for i in range(200, 206)}
        assert picks == {B}
        # Three days on, the rest is over: A (used least today) is chosen again.
        later = NOW + timedelta(days=3, seconds=1)
        assert chosen(owner, campaign_id, "+14155550300", later) == A


def test_every_number_resting_means_no_caller_id(app, outreach):
    owner, campaign_id, ids = outreach
    with app.app_context():
        for number_id in ids.values():
            rest_number(actor_of(owner), db.session.get(PhoneNumber, number_id), 7, NOW)
        with pytest.raises(NoCallerId):
            chosen(owner, campaign_id)


def test_wake_early_puts_it_back(app, outreach):
    owner, campaign_id, ids = outreach
    with app.app_context():
        number = db.session.get(PhoneNumber, ids[B])
        rest_number(actor_of(owner), db.session.get(PhoneNumber, ids[A]), 7, NOW)
        rest_number(actor_of(owner), number, 7, NOW)
        assert wake_number(actor_of(owner), number, NOW + timedelta(hours=1)) is True
        assert chosen(owner, campaign_id, now=NOW + timedelta(hours=1)) == B
        assert wake_number(actor_of(owner), number, NOW + timedelta(hours=2)) is False
        actions = db.session.scalars(
            sa.select(AuditEvent.action)
            .where(AuditEvent.subject_id == ids[B])
            .order_by(AuditEvent.created_at, AuditEvent.id)
        ).all()
        assert [a for a in actions if a.startswith("number_")] == ["number_rest", "number_wake"]


def test_a_number_keeps_its_rest_when_it_joins_another_campaign(app, factory, outreach):
    owner, _campaign_id, ids = outreach
    with app.app_context():
        rest_number(actor_of(owner), db.session.get(PhoneNumber, ids[A]), 5, NOW)
    other_id, _ = make_campaign(app, factory, owner, [], name="Winter")
    with app.app_context():
        pools.add_numbers(actor_of(owner), campaign(other_id), [ids[A]])
        member = db.session.get(CampaignNumber, ids[A])
        assert member.campaign_id == other_id
        assert member.rest_until == NOW + timedelta(days=5)


def rest_api(client, member, number_id, body):
    return client.post(f"/api/phone-numbers/{number_id}/rest", json=body, headers=member.headers)


def test_rest_and_wake_over_the_api(app, client, outreach):
    owner, _campaign_id, ids = outreach
    answer = rest_api(client, owner, ids[A], {"teamId": owner.team_id, "days": 2})
    assert answer.status_code == 200, answer.get_json()
    until = answer.get_json()["health"]["restUntil"]
    assert until is not None
    with app.app_context():
        assert (
            db.session.get(CampaignNumber, ids[A]).rest_until.strftime("%Y-%m-%dT%H:%M:%SZ")
            == until
        )
    default = rest_api(client, owner, ids[B], {"teamId": owner.team_id})
    with app.app_context():
        rested = db.session.get(CampaignNumber, ids[B]).rest_until
        days = (rested - datetime.now(UTC)).total_seconds() / 86400
        assert 6.99 < days <= 7
    assert default.status_code == 200
    woke = client.post(
        f"/api/phone-numbers/{ids[A]}/wake", json={"teamId": owner.team_id}, headers=owner.headers
    )
    assert woke.status_code == 200
    assert (woke.get_json()["woke"], woke.get_json()["health"]["restUntil"]) == (True, None)
    with app.app_context():
        assert db.session.get(CampaignNumber, ids[A]).rest_until is None


@pytest.mark.parametrize(
    ("days", "field"),
    [(0, "days"), (31, "days"), (30, None), ("7", "days"), (True, "days"), (2.5, "days")],
)
def test_rest_days_are_checked(client, outreach, days, field):
    owner, _campaign_id, ids = outreach
    answer = rest_api(client, owner, ids[A], {"teamId": owner.team_id, "days": days})
    if field is None:
        assert answer.status_code == 200
    else:
        assert answer.status_code == 400
        assert answer.get_json()["error"]["fields"] == {
            "days": "Rest for a whole number of days, 1–30."
        }


def test_unknown_fields_are_refused(client, outreach):
    owner, _campaign_id, ids = outreach
    answer = rest_api(client, owner, ids[A], {"teamId": owner.team_id, "weeks": 1})
    assert answer.status_code == 400
    assert answer.get_json()["error"]["fields"] == {"weeks": "Unknown field."}


def test_roles_and_other_teams(client, factory, outreach):
    owner, _campaign_id, ids = outreach
    admin = factory.member(team_id=owner.team_id, role="admin")
    member = factory.member(team_id=owner.team_id, role="member")
    stranger = factory.member("scale")
    assert rest_api(client, admin, ids[A], {"teamId": owner.team_id}).status_code == 200
    refused = rest_api(client, member, ids[B], {"teamId": owner.team_id})
    assert refused.status_code == 403
    # Another team's number is not found, whether asked in its team's name or the caller's.
    assert rest_api(client, stranger, ids[B], {"teamId": stranger.team_id}).status_code == 404
    assert rest_api(client, stranger, ids[B], {"teamId": owner.team_id}).status_code == 404
    card = client.get(
        f"/api/phone-numbers/{ids[B]}/health?teamId={stranger.team_id}", headers=stranger.headers
    )
    assert card.status_code == 404
    assert card.get_json()["error"]["code"] == "not_found"
    # The member may read the card.
    mine = client.get(
        f"/api/phone-numbers/{ids[B]}/health?teamId={owner.team_id}", headers=member.headers
    )
    assert mine.status_code == 200
    assert mine.get_json()["health"]["restUntil"] is None
