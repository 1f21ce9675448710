"""One team-scoped lookup: assistants, campaigns and webhook endpoints are found by id only
within the caller's teams; every other id answers the same NotFound."""

from __future__ import annotations

import pytest

from app.assistants import service as assistants
from app.campaigns import service as campaigns
from app.events import endpoints
from app.exceptions import NotFound
from app.extensions import db
from app.models import User
from tests.factories import actor_of


def made(kind: str, member) -> str:
    actor = actor_of(member)
    if kind == "assistant":
        return assistants.create_assistant(actor, "Ava").id
    if kind == "campaign":
        return campaigns.create_campaign(actor, {"name": "Spring"}).id
    fields = {"url": "http://127.0.0.1:9/hooks", "events": ["plan.changed"]}
    return endpoints.create_endpoint(actor, fields).endpoint.id


# kind -> (find for a user, find within a team, the message)
LOOKUPS = {
    "assistant": (
        assistants.find_assistant,
        lambda actor, i: assistants.team_assistant(actor.team, i),
        "Assistant not found.",
    ),
    "campaign": (
        campaigns.find_campaign,
        lambda actor, i: campaigns.team_campaign(actor.team, i),
        "Campaign not found.",
    ),
    "endpoint": (endpoints.find_endpoint, endpoints.team_endpoint, endpoints.NOT_FOUND),
}


@pytest.mark.parametrize("kind", list(LOOKUPS))
def test_found_only_within_the_callers_teams(app, factory, kind):
    find, in_team, message = LOOKUPS[kind]
    mine, theirs = factory.member("growth"), factory.member("growth")
    with app.app_context():
        own, other = made(kind, mine), made(kind, theirs)
        user, actor = db.session.get(User, mine.user_id), actor_of(mine)
        acting, found = find(user, own)
        assert (found.id, acting.team.id, acting.role) == (own, mine.team_id, "owner")
        assert in_team(actor, own).id == own
        missing = own[:-1] + ("a" if own[-1] != "a" else "b")
        for wrong in (other, missing, "not-an-id", None, 7):
            with pytest.raises(NotFound, match=message):
                find(user, wrong)
            with pytest.raises(NotFound, match=message):
                in_team(actor, wrong)
