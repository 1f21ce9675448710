"""Caller names at Telnyx, over real HTTP to the fake account: the voice settings' PATCH as
Telnyx documents it, the periodic check reading them back (propagating, then listed; failed
when the listing is turned off), and Telnyx's own refusal shown as the field's error."""

from __future__ import annotations

from datetime import timedelta

from app.caller_names.lifecycle import advance_caller_names
from app.extensions import db
from app.models import CallerName, PhoneNumber
from tests.helpers import assert_error, bought_id
from tests.telnyx import NUMBER


def put_name(client, member, number_id, name):
    return client.put(
        f"/api/phone-numbers/{number_id}/caller-name",
        json={"teamId": member.team_id, "name": name},
        headers=member.headers,
    )


def state_after(app, number_id, later: timedelta) -> tuple[str, str | None]:
    with app.app_context():
        row = db.session.get(CallerName, number_id)
        advance_caller_names(row.submitted_at + later)
        row = db.session.get(CallerName, number_id)
        return row.state, row.detail


def test_a_caller_name_is_set_in_the_voice_settings_and_followed(app, client, factory, fake):
    owner = factory.member("growth")
    number_id = bought_id(client, owner, NUMBER)
    with app.app_context():
        provider_id = db.session.get(PhoneNumber, number_id).provider_number_id

    answer = put_name(client, owner, number_id, "ACME SUPPORT")
    assert answer.status_code == 200, answer.get_json()
    sent = fake.requests_to("PATCH", f"/v2/phone_numbers/{provider_id}/voice")
    assert [r.json for r in sent] == [
        {"cnam_listing": {"cnam_listing_enabled": True, "cnam_listing_details": "ACME SUPPORT"}}
    ]
    assert fake.cnam_of(provider_id) == {
        "cnam_listing_enabled": True,
        "cnam_listing_details": "ACME SUPPORT",
    }
    assert state_after(app, number_id, timedelta(minutes=6)) == ("propagating", None)
    assert len(fake.requests_to("GET", f"/v2/phone_numbers/{provider_id}/voice")) == 1
    assert state_after(app, number_id, timedelta(hours=72)) == ("listed", None)


def test_a_listing_turned_off_at_telnyx_is_a_failure(app, client, factory, fake):
    owner = factory.member("growth")
    number_id = bought_id(client, owner, NUMBER)
    assert put_name(client, owner, number_id, "ACME SUPPORT").status_code == 200
    with app.app_context():
        provider_id = db.session.get(PhoneNumber, number_id).provider_number_id
    fake.owned[provider_id]["_cnam"] = {
        "cnam_listing_enabled": False,
        "cnam_listing_details": None,
    }
    assert state_after(app, number_id, timedelta(minutes=6)) == (
        "failed",
        "Telnyx shows the caller name listing turned off.",
    )
    shown = client.get(
        f"/api/phone-numbers/{number_id}/caller-name",
        query_string={"teamId": owner.team_id},
        headers=owner.headers,
    ).get_json()["callerName"]
    assert shown["line"] == "Failed: Telnyx shows the caller name listing turned off."


def test_telnyx_refusing_a_name_is_the_fields_error_and_nothing_is_kept(app, client, factory, fake):
    owner = factory.member("growth")
    number_id = bought_id(client, owner, NUMBER)
    # Our rules take periods and commas; Telnyx documents letters, digits and spaces only.
    refused = assert_error(put_name(client, owner, number_id, "ACME, INC."), 400, "invalid_request")
    assert refused["error"]["fields"] == {
        "name": "Telnyx refused the caller name: cnam_listing_details must be alphanumeric "
        "characters or spaces, at most 15."
    }
    with app.app_context():
        assert db.session.get(CallerName, number_id) is None


def test_telnyx_failing_is_a_502_and_nothing_is_kept(app, client, factory, fake):
    owner = factory.member("growth")
    number_id = bought_id(client, owner, NUMBER)
    fake.fail("PATCH", "/v2/phone_numbers/*/voice", status=500)
    assert_error(put_name(client, owner, number_id, "ACME"), 502, "provider_error")
    with app.app_context():
        assert db.session.get(CallerName, number_id) is None
