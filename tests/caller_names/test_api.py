"""The caller-name API: set and read one number's name, one name for a campaign (toll-free
numbers skipped, by name), clear refusals, and other teams' numbers and campaigns as 404s."""

from __future__ import annotations

from app.extensions import db
from app.models import CallerName
from tests.caller_names.helpers import toll_free_number
from tests.campaigns.helpers import make_campaign
from tests.helpers import assert_error, sandbox_number


def put_name(client, member, number_id, name, team_id=None):
    return client.put(
        f"/api/phone-numbers/{number_id}/caller-name",
        json={"teamId": team_id or member.team_id, "name": name},
        headers=member.headers,
    )


def test_set_and_read_a_caller_name(client, factory):
    owner = factory.member("growth")
    number_id = factory.number(owner, sandbox_number("415", 1))
    before = client.get(
        f"/api/phone-numbers/{number_id}/caller-name",
        query_string={"teamId": owner.team_id},
        headers=owner.headers,
    )
    assert before.get_json() == {"success": True, "phoneNumberId": number_id, "callerName": None}

    answer = put_name(client, owner, number_id, "ACME SUPPORT")
    assert answer.status_code == 200, answer.get_json()
    shown = answer.get_json()["callerName"]
    assert (shown["name"], shown["state"], shown["line"]) == (
        "ACME SUPPORT",
        "submitted",
        "Submitted: ACME SUPPORT",
    )
    assert shown["detail"] is None and shown["listedAt"] is None
    read = client.get(
        f"/api/phone-numbers/{number_id}/caller-name",
        query_string={"teamId": owner.team_id},
        headers=owner.headers,
    )
    assert read.get_json()["callerName"] == shown


def test_bad_names_and_toll_free_numbers_are_refused_with_the_field(app, client, factory):
    owner = factory.member("growth")
    number_id = factory.number(owner, sandbox_number("415", 1))
    too_long = assert_error(
        put_name(client, owner, number_id, "ACME SUPPORT TEAM"), 400, "invalid_request"
    )
    assert too_long["error"]["fields"] == {
        "name": "A caller name has at most 15 characters (17 sent)."
    }
    digit_first = assert_error(
        put_name(client, owner, number_id, "24 SEVEN"), 400, "invalid_request"
    )
    assert "starting with a letter" in digit_first["error"]["fields"]["name"]
    toll_free = toll_free_number(app, factory, owner)
    refused = assert_error(put_name(client, owner, toll_free, "ACME"), 400, "invalid_request")
    assert refused["error"]["fields"] == {
        "name": "Toll-free numbers have no caller name listing: carriers do not look one up."
    }
    with app.app_context():
        assert db.session.query(CallerName).count() == 0


def test_another_teams_number_and_campaign_are_404(app, client, factory):
    owner = factory.member("growth")
    stranger = factory.member("growth")
    theirs = factory.number(stranger, sandbox_number("212", 1))
    campaign_id, _ids = make_campaign(app, factory, stranger, [sandbox_number("212", 2)])
    assert_error(put_name(client, owner, theirs, "ACME"), 404, "not_found")
    assert_error(put_name(client, owner, theirs, "ACME", stranger.team_id), 404, "team_not_found")
    bulk = client.post(
        f"/api/campaigns/{campaign_id}/caller-name", json={"name": "ACME"}, headers=owner.headers
    )
    assert_error(bulk, 404, "not_found")
    with app.app_context():
        assert db.session.query(CallerName).count() == 0


def test_one_name_for_a_campaign_skips_toll_free_numbers(app, client, factory):
    owner = factory.member("scale")
    local = [sandbox_number("415", 1), sandbox_number("212", 1)]
    campaign_id, ids = make_campaign(app, factory, owner, local)
    free = toll_free_number(app, factory, owner)
    added = client.post(
        f"/api/campaigns/{campaign_id}/phone-numbers",
        json={"phoneNumberIds": [free]},
        headers=owner.headers,
    )
    assert added.status_code == 200, added.get_json()
    put_name(client, owner, ids[0], "ACME")  # already set: unchanged

    answer = client.post(
        f"/api/campaigns/{campaign_id}/caller-name", json={"name": "ACME"}, headers=owner.headers
    )
    assert answer.status_code == 200, answer.get_json()
    assert answer.get_json() == {
        "success": True,
        "campaignId": campaign_id,
        "name": "ACME",
        "applied": [{"id": ids[1], "phoneNumber": "+12125550101"}],
        "unchanged": [{"id": ids[0], "phoneNumber": "+14155550101"}],
        "skipped": [
            {
                "id": free,
                "phoneNumber": "+18005550100",
                "reason": "Toll-free numbers have no caller name listing.",
            }
        ],
        "failed": [],
    }
    with app.app_context():
        names = {row.phone_number_id: row.name for row in db.session.query(CallerName)}
    assert names == {ids[0]: "ACME", ids[1]: "ACME"}
    bad = client.post(
        f"/api/campaigns/{campaign_id}/caller-name", json={"name": "A&B"}, headers=owner.headers
    )
    assert assert_error(bad, 400, "invalid_request")["error"]["fields"]["name"].startswith("Use")
