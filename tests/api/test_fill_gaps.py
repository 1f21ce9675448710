"""Fill gaps over the API: one number per missing area code into the team's cart, the most
called first; what is still missing says why; other teams' campaigns are 404."""

from __future__ import annotations

from tests.campaigns.helpers import make_campaign
from tests.helpers import assert_error, sandbox_number


def fill(client, member, campaign_id):
    return client.post(f"/api/campaigns/{campaign_id}/fill-gaps", json={}, headers=member.headers)


def destinations(client, member, campaign_id, entries):
    answer = client.put(
        f"/api/campaigns/{campaign_id}/coverage",
        json={"destinations": entries},
        headers=member.headers,
    )
    assert answer.status_code == 200, answer.get_json()
    return answer.get_json()["coverage"]


def test_fill_gaps_holds_one_number_per_missing_area_code(app, client, factory):
    owner = factory.member("growth")
    campaign_id, _ids = make_campaign(app, factory, owner, [sandbox_number("415", 1)])
    coverage = destinations(
        client, owner, campaign_id, ["415", "212", "212", "212", "+13105550123", "310"]
    )
    assert coverage["missingAreaCodes"] == ["212", "310"]

    answer = fill(client, owner, campaign_id)
    assert answer.status_code == 200, answer.get_json()
    assert answer.get_json() == {
        "success": True,
        "campaignId": campaign_id,
        "held": [
            {"areaCode": "212", "phoneNumber": "+12125550100"},
            {"areaCode": "310", "phoneNumber": "+13105550100"},
        ],
        "alreadyInCart": [],
        "missing": [],
    }
    holds = client.get(
        "/api/phone-numbers/holds", query_string={"teamId": owner.team_id}, headers=owner.headers
    ).get_json()["holds"]
    assert sorted(h["phoneNumber"] for h in holds) == ["+12125550100", "+13105550100"]

    again = fill(client, owner, campaign_id).get_json()
    # A retry holds nothing twice: the cart fills those gaps already.
    assert (again["held"], again["missing"]) == ([], [])
    assert again["alreadyInCart"] == [
        {"areaCode": "212", "phoneNumber": "+12125550100"},
        {"areaCode": "310", "phoneNumber": "+13105550100"},
    ]


def test_a_full_cart_is_named_as_the_reason(app, client, factory, monkeypatch):
    owner = factory.member("growth")
    campaign_id, _ids = make_campaign(app, factory, owner, [])
    destinations(client, owner, campaign_id, ["212", "310"])
    from app.campaigns import coverage

    monkeypatch.setattr(coverage, "MAX_FILL", 1)
    answer = fill(client, owner, campaign_id).get_json()
    assert answer["held"] == [{"areaCode": "212", "phoneNumber": "+12125550100"}]
    assert answer["missing"] == [{"areaCode": "310", "reason": "the cart is full"}]


def test_a_campaign_without_destinations_fills_nothing(app, client, factory):
    owner = factory.member("growth")
    campaign_id, _ids = make_campaign(app, factory, owner, [])
    answer = fill(client, owner, campaign_id)
    assert answer.get_json() == {
        "success": True,
        "campaignId": campaign_id,
        "held": [],
        "alreadyInCart": [],
        "missing": [],
    }


def test_another_teams_campaign_is_404(app, client, factory):
    owner = factory.member("growth")
    stranger = factory.member("growth")
    campaign_id, _ids = make_campaign(app, factory, stranger, [])
    assert_error(fill(client, owner, campaign_id), 404, "not_found")
    member = factory.member(team_id=owner.team_id, role="member")
    mine, _ids = make_campaign(app, factory, owner, [], name="Mine")
    assert fill(client, member, mine).status_code == 200  # members buy, so they fill the cart
