"""The campaigns API: a pool's life (create, fill, rename, pause, delete), the caller ID it
answers, coverage, History for each change, and other teams' campaigns and numbers as 404s."""

from __future__ import annotations

import sqlalchemy as sa

from app.extensions import db
from app.models import AuditEvent, PhoneNumber
from tests.helpers import assert_error, sandbox_number


def post(client, member, url, body):
    return client.post(url, json=body, headers=member.headers)


def make(client, member, name="Spring", **settings):
    answer = post(
        client, member, "/api/campaigns", {"teamId": member.team_id, "name": name, **settings}
    )
    assert answer.status_code == 201, answer.get_json()
    return answer.get_json()["campaign"]["id"]


def test_a_campaign_from_creation_to_deletion(app, client, factory):
    owner = factory.member("scale")
    numbers = [factory.number(owner, sandbox_number(a, 0)) for a in ("415", "212")]
    campaign = make(client, owner, dailyCap=3, cooldownSeconds=0)
    added = post(
        client, owner, f"/api/campaigns/{campaign}/phone-numbers", {"phoneNumberIds": numbers}
    )
    assert added.get_json()["added"] == 2
    again = post(
        client, owner, f"/api/campaigns/{campaign}/phone-numbers", {"phoneNumberIds": numbers}
    )
    assert again.get_json()["added"] == 0  # a retry changes nothing

    chosen = post(client, owner, f"/api/campaigns/{campaign}/caller-id", {"to": "+12125550188"})
    assert chosen.status_code == 200, chosen.get_json()
    body = chosen.get_json()
    assert body["phoneNumber"] == {"id": numbers[1], "phoneNumber": "+12125550100"}
    assert (body["reason"], body["usedToday"]) == ("area_code", 1)

    renamed = client.patch(
        f"/api/campaigns/{campaign}", json={"name": "Autumn", "paused": True}, headers=owner.headers
    )
    assert renamed.get_json()["campaign"]["name"] == "Autumn"
    refused = post(client, owner, f"/api/campaigns/{campaign}/caller-id", {"to": "+12125550188"})
    assert_error(refused, 409, "no_caller_id")

    shown = client.get(f"/api/campaigns/{campaign}", headers=owner.headers).get_json()["campaign"]
    used = {n["phoneNumber"]: n["usedToday"] for n in shown["phoneNumbers"]}
    assert used == {"+12125550100": 1, "+14155550100": 0}

    removed = client.delete(
        f"/api/campaigns/{campaign}/phone-numbers/{numbers[0]}", headers=owner.headers
    )
    assert removed.get_json()["removed"] is True
    deleted = client.delete(f"/api/campaigns/{campaign}", headers=owner.headers)
    assert deleted.get_json() == {"success": True, "id": campaign, "deleted": True}
    listed = client.get(
        "/api/campaigns", query_string={"teamId": owner.team_id}, headers=owner.headers
    )
    assert listed.get_json()["count"] == 0
    with app.app_context():
        actions = db.session.scalars(
            sa.select(AuditEvent.action).order_by(AuditEvent.created_at)
        ).all()
    assert [a for a in actions if a.startswith("campaign")] == [
        "campaign_create",
        "campaign_add",
        "campaign_add",
        "campaign_change",
        "campaign_remove",
        "campaign_delete",
    ]


def test_a_number_is_in_one_campaign_at_most(client, factory):
    owner = factory.member("scale")
    number = factory.number(owner, sandbox_number("415", 0))
    first, second = make(client, owner, "First"), make(client, owner, "Second")
    for campaign in (first, second):
        post(
            client, owner, f"/api/campaigns/{campaign}/phone-numbers", {"phoneNumberIds": [number]}
        )
    counts = {
        c["name"]: c["phoneNumberCount"]
        for c in client.get(
            "/api/campaigns", query_string={"teamId": owner.team_id}, headers=owner.headers
        ).get_json()["campaigns"]
    }
    assert counts == {"First": 0, "Second": 1}


def test_names_are_unique_in_a_team_whatever_their_case(client, factory):
    owner = factory.member("scale")
    make(client, owner, "Spring")
    clash = post(client, owner, "/api/campaigns", {"teamId": owner.team_id, "name": "SPRING"})
    assert_error(clash, 409, "conflict")


def test_another_teams_campaign_and_numbers_are_not_found(client, factory):
    owner, stranger = factory.member("scale"), factory.member("scale")
    theirs = factory.number(stranger, sandbox_number("415", 1))
    campaign = make(client, owner)
    answers = [
        post(
            client, owner, f"/api/campaigns/{campaign}/phone-numbers", {"phoneNumberIds": [theirs]}
        ),
        client.get(f"/api/campaigns/{campaign}", headers=stranger.headers),
        post(client, stranger, f"/api/campaigns/{campaign}/caller-id", {"to": "+14155550123"}),
        client.patch(f"/api/campaigns/{campaign}", json={"paused": True}, headers=stranger.headers),
        client.delete(f"/api/campaigns/{campaign}", headers=stranger.headers),
        client.delete(f"/api/campaigns/{campaign}/phone-numbers/{theirs}", headers=owner.headers),
    ]
    assert [a.status_code for a in answers] == [404] * 6


def test_coverage_counts_destinations_with_a_local_number(client, factory):
    owner = factory.member("scale")
    numbers = [factory.number(owner, sandbox_number(a, 0)) for a in ("415", "212")]
    campaign = make(client, owner)
    post(client, owner, f"/api/campaigns/{campaign}/phone-numbers", {"phoneNumberIds": numbers})
    destinations = ["415"] * 5 + ["+12125550111"] * 3 + ["+13105550111"] * 2 + ["+442079460000"]
    answer = client.put(
        f"/api/campaigns/{campaign}/coverage",
        json={"destinations": destinations},
        headers=owner.headers,
    )
    coverage = answer.get_json()["coverage"]
    assert (coverage["destinations"], coverage["covered"], coverage["share"]) == (11, 8, 0.7273)
    assert coverage["missingAreaCodes"] == ["310"]
    assert [(p["place"], p["covered"]) for p in coverage["places"]] == [
        ("415", True),
        ("212", True),
        ("310", False),
        ("GB", False),
    ]
    bad = client.put(
        f"/api/campaigns/{campaign}/coverage",
        json={"destinations": ["415", "555-0123"]},
        headers=owner.headers,
    )
    assert "destinations[1]" in assert_error(bad, 400, "invalid_request")["error"]["fields"]


def test_a_released_number_leaves_the_pool_and_its_coverage(app, client, factory):
    owner = factory.member("scale")
    numbers = [factory.number(owner, sandbox_number(a, 0)) for a in ("415", "212")]
    campaign = make(client, owner)
    post(client, owner, f"/api/campaigns/{campaign}/phone-numbers", {"phoneNumberIds": numbers})
    client.put(
        f"/api/campaigns/{campaign}/coverage",
        json={"destinations": ["415", "212"]},
        headers=owner.headers,
    )
    with app.app_context():
        db.session.get(PhoneNumber, numbers[0]).status = "released"
        db.session.commit()
    shown = client.get(f"/api/campaigns/{campaign}", headers=owner.headers).get_json()["campaign"]
    assert [n["phoneNumber"] for n in shown["phoneNumbers"]] == ["+12125550100"]
    assert shown["phoneNumberCount"] == 1
    assert shown["coverage"]["missingAreaCodes"] == ["415"]
