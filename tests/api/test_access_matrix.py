"""Every API route against: no auth, other teams' ids, ids of the wrong kind, oversized and
non-JSON bodies, and hostile text. Routes are read from the app, so a new one is covered."""

import re

import pytest

from app.extensions import db
from app.models import Assistant, PhoneNumber, PurchaseRequest, Team
from tests.factories import ask
from tests.helpers import assert_error, bought_id, new_assistant, sandbox_number


def api_routes(app):
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/") and rule.endpoint != "api.openapi_document":
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                yield method, rule.rule


def fill(rule: str, **ids: str) -> str:
    def value(match):
        name = match.group(1)
        kinds = ("assistant", "order", "hold", "request", "team", "campaign")
        kind = next((k for k in kinds if k in name), "number")
        return ids.get(kind, ids["number"])

    return re.sub(r"<(?:[^:>]+:)?(\w+)>", value, rule)


@pytest.fixture
def world(client, factory):
    mine, theirs = factory.member("growth"), factory.member("growth")
    return {
        "mine": mine,
        "theirs": theirs,
        "my_number": bought_id(client, mine, sandbox_number("415", 0)),
        "their_number": bought_id(client, theirs, sandbox_number("415", 1)),
        "my_assistant": new_assistant(client, mine, "Mine"),
        "their_assistant": new_assistant(client, theirs, "Theirs"),
        "my_order": new_order(client, mine, sandbox_number("415", 2)),
        "their_order": new_order(client, theirs, sandbox_number("415", 3)),
        "my_hold": new_hold(client, mine, sandbox_number("415", 4)),
        "their_hold": new_hold(client, theirs, sandbox_number("415", 5)),
        "my_request": new_request(factory, mine, sandbox_number("415", 6)),
        "their_request": new_request(factory, theirs, sandbox_number("415", 7)),
        "their_campaign": new_campaign(client, theirs),
    }


def new_campaign(client, owner) -> str:
    made = client.post(
        "/api/campaigns", json={"teamId": owner.team_id, "name": "Theirs"}, headers=owner.headers
    )
    return made.get_json()["campaign"]["id"]


def new_request(factory, owner, phone_number: str) -> str:
    """A member's purchase request in the owner's team."""
    member = factory.member(team_id=owner.team_id, role="member")
    return ask(factory.app, member, phone_number)


def new_hold(client, member, phone_number: str) -> str:
    body = {"teamId": member.team_id, "phoneNumber": phone_number}
    response = client.post("/api/phone-numbers/holds", json=body, headers=member.headers)
    return response.get_json()["hold"]["id"]


def new_order(client, member, phone_number: str) -> str:
    body = {"teamId": member.team_id, "phoneNumbers": [phone_number]}
    response = client.post("/api/phone-numbers/orders", json=body, headers=member.headers)
    return response.get_json()["order"]["id"]


def call(client, method, url, member=None, team_id=None, **kwargs):
    headers = dict(member.headers) if member else {}
    headers.update(kwargs.pop("headers", {}))
    query = {"teamId": team_id} if team_id else {}
    some_number = "pn_" + "0" * 26  # well-formed, so validation passes and ownership decides
    body = kwargs.pop(
        "json",
        {
            "teamId": team_id,
            "name": "x",
            "label": "x",
            "phoneNumberIds": [some_number],
            "phoneNumber": sandbox_number("415", 50),
            "phoneNumbers": [sandbox_number("415", 50)],
            "monthlySpendCap": "5.00",
        },
    )
    return client.open(url, method=method, headers=headers, query_string=query, json=body, **kwargs)


def test_every_route_needs_a_token(app, client, world):
    for method, rule in api_routes(app):
        url = fill(
            rule,
            assistant=world["my_assistant"],
            number=world["my_number"],
            order=world["my_order"],
            hold=world["my_hold"],
            request=world["my_request"],
            team=world["mine"].team_id,
        )
        assert_error(call(client, method, url, team_id=world["mine"].team_id), 401, "unauthorized")


def test_other_teams_things_are_404_and_untouched(app, client, world):
    mine, theirs = world["mine"], world["theirs"]
    for method, rule in api_routes(app):
        if "<" not in rule:
            if method == "POST" and rule.endswith("/search"):
                continue  # search is not about a team
            # The body is valid for every route, so only the team decides the answer.
            response = call(client, method, rule, mine, team_id=theirs.team_id)
            assert_error(response, 404, "team_not_found")
            continue
        url = fill(
            rule,
            assistant=world["their_assistant"],
            number=world["their_number"],
            order=world["their_order"],
            hold=world["their_hold"],
            request=world["their_request"],
            campaign=world["their_campaign"],
            team=theirs.team_id,
        )
        response = call(client, method, url, mine, team_id=mine.team_id)
        assert response.status_code == 404, (method, rule, response.get_json())
    with app.app_context():
        assert db.session.get(Assistant, world["their_assistant"]).name == "Theirs"
        number = db.session.get(PhoneNumber, world["their_number"])
        assert (number.status, number.label) == ("active", None)
        assert db.session.get(PurchaseRequest, world["their_request"]).status == "pending"
        assert db.session.get(Team, theirs.team_id).spend_cap is None


def test_ids_of_the_wrong_kind_are_404(app, client, world):
    mine = world["mine"]
    for method, rule in api_routes(app):
        if "<" in rule:
            # An assistant id where a number id goes and the other way round.
            url = fill(rule, assistant=world["my_number"], number=world["my_assistant"])
            response = call(client, method, url, mine, team_id=mine.team_id)
            assert response.status_code == 404, (method, rule)
            assert response.get_json()["success"] is False


def test_oversized_and_non_json_bodies(app, client, world):
    mine = world["mine"]
    for method, rule in api_routes(app):
        if method not in ("POST", "PATCH"):
            continue
        url = fill(
            rule,
            assistant=world["my_assistant"],
            number=world["my_number"],
            request=world["my_request"],
            team=mine.team_id,
        )
        big = call(client, method, url, mine, team_id=mine.team_id, json={"pad": "x" * 70_000})
        assert_error(big, 413, "payload_too_large")
        text = client.open(
            url, method=method, headers=mine.headers, data="name=x", content_type="text/plain"
        )
        assert_error(text, 400, "invalid_request")
