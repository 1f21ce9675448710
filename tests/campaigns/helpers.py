"""A campaign with numbers, made through the service, for the selector's and pages' tests."""

from __future__ import annotations

from app.campaigns import pool, service
from app.extensions import db
from app.models import Campaign
from tests.factories import actor_of


def make_campaign(app, factory, member, numbers: list[str], **settings) -> tuple[str, list[str]]:
    """A campaign holding these E.164 numbers (made active for the member's team)."""
    ids = [factory.number(member, e164) for e164 in numbers]
    with app.app_context():
        body = {"name": settings.pop("name", "Spring outreach"), **settings}
        campaign = service.create_campaign(actor_of(member), body)
        if ids:
            pool.add_numbers(actor_of(member), campaign, ids)
        return campaign.id, ids


def campaign(campaign_id: str) -> Campaign:
    return db.session.get(Campaign, campaign_id)
