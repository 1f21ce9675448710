"""Replace over the API: a number in the same area code goes to the cart as the old one's
replacement; buying it (in the cart's one order) moves campaign, assistant and routing onto
it and schedules the old one's release with the grace (Undo works). Asked again it answers
the same replacement; a failed purchase releases nothing; other teams' numbers are 404."""

from __future__ import annotations

import sqlalchemy as sa

from app.extensions import db
from app.models import (
    AuditEvent,
    CampaignNumber,
    CartItem,
    NumberReplacement,
    PhoneNumber,
)
from app.numbers.takeover import complete_due_replacements
from app.providers.base import ProviderError
from tests.campaigns.helpers import make_campaign
from tests.helpers import assert_error, buy, sandbox_number

OLD = sandbox_number("415", 1)  # +14155550101
NEW = sandbox_number("415", 0)  # the sandbox's first 415 number, free
ROUTING = {
    "inbound": {
        "fallback": {"type": "phone", "address": "+14155550199"},
        "blocklist": ["+1900"],
        "timeZone": "America/Los_Angeles",
        "hours": [{"day": "mon", "start": "09:00", "end": "17:00"}],
    }
}


def replace(client, member, number_id, **body):
    return client.post(
        f"/api/phone-numbers/{number_id}/replace",
        json={"teamId": member.team_id, **body},
        headers=member.headers,
    )


def routing_of(client, member, number_id):
    answer = client.get(
        f"/api/phone-numbers/{number_id}",
        query_string={"teamId": member.team_id},
        headers=member.headers,
    )
    return answer.get_json()["phoneNumber"]["routing"]


def in_use(app, client, factory):
    """A Growth team's number in campaign Spring, answered by Ava, with routing."""
    owner = factory.member("growth")
    campaign_id, (old_id,) = make_campaign(app, factory, owner, [OLD], name="Spring")
    ava = factory.assistant(owner, "Ava", numbers=[old_id])
    routed = client.patch(
        f"/api/phone-numbers/{old_id}",
        json={"teamId": owner.team_id, "routing": ROUTING, "label": "Support"},
        headers=owner.headers,
    )
    assert routed.status_code == 200, routed.get_json()
    return owner, campaign_id, old_id, ava


def test_a_replacement_takes_campaign_assistant_and_routing_in_one_order(app, client, factory):
    owner, campaign_id, old_id, ava = in_use(app, client, factory)
    before = routing_of(client, owner, old_id)

    held = replace(client, owner, old_id)
    assert held.status_code == 201, held.get_json()
    replacement = held.get_json()["replacement"]
    assert (replacement["oldPhoneNumberId"], replacement["phoneNumber"]) == (old_id, NEW)
    assert (replacement["status"], replacement["newPhoneNumberId"]) == ("waiting", None)
    cart = client.get(
        "/api/phone-numbers/holds", query_string={"teamId": owner.team_id}, headers=owner.headers
    ).get_json()
    assert [h["phoneNumber"] for h in cart["holds"]] == [NEW]

    order = client.post(
        "/api/phone-numbers/orders",
        json={"teamId": owner.team_id, "phoneNumbers": [NEW]},
        headers=owner.headers,
    )
    assert order.status_code == 200, order.get_json()
    (result,) = order.get_json()["order"]["numbers"]
    new_id = result["phoneNumberId"]
    assert result["status"] == "bought"
    assert result["message"].startswith(
        f"Bought: ready to take calls. It replaces {OLD} (campaign Spring, assistant Ava, "
        f"routing); {OLD} is released at "
    )
    assert result["message"].endswith(" UTC (Undo until then).")

    after = routing_of(client, owner, new_id)
    assert after == before
    with app.app_context():
        new = db.session.get(PhoneNumber, new_id)
        old = db.session.get(PhoneNumber, old_id)
        assert (new.assistant_id, new.label) == (ava, "Support")
        assert (old.status, old.status_reason) == ("releasing", "scheduled")
        assert old.release_after is not None
        query = sa.select(CampaignNumber.phone_number_id, CampaignNumber.campaign_id)
        pools = {number: campaign for number, campaign in db.session.execute(query)}
        assert pools == {new_id: campaign_id}
        done = db.session.scalar(sa.select(NumberReplacement))
        assert (done.status, done.new_number_id) == ("done", new_id)
        actions = db.session.scalars(
            sa.select(AuditEvent.action)
            .where(AuditEvent.subject_id == old_id)
            .order_by(AuditEvent.created_at, AuditEvent.id)
        ).all()
    assert actions[-3:] == ["replace_start", "replace_done", "release_schedule"]

    undone = client.post(
        f"/api/phone-numbers/{old_id}/undo-release",
        json={"teamId": owner.team_id},
        headers=owner.headers,
    )
    assert undone.status_code == 200, undone.get_json()
    assert undone.get_json()["phoneNumber"]["status"] == "active"


def test_replace_again_answers_the_same_replacement(app, client, factory):
    owner, _campaign, old_id, _ava = in_use(app, client, factory)
    first = replace(client, owner, old_id)
    again = replace(client, owner, old_id)
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.get_json()["replacement"] == first.get_json()["replacement"]
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(NumberReplacement)) == 1


def test_a_failed_purchase_releases_nothing(app, client, factory, monkeypatch):
    owner, campaign_id, old_id, ava = in_use(app, client, factory)
    assert replace(client, owner, old_id).status_code == 201
    provider = app.extensions["phone_provider"]

    def down(*_args, **_kwargs):
        raise ProviderError("The telephony provider failed.")

    monkeypatch.setattr(provider, "order", down)
    assert_error(buy(client, owner, NEW), 502, "provider_error")
    with app.app_context():
        old = db.session.get(PhoneNumber, old_id)
        assert (old.status, old.release_after, old.assistant_id) == ("active", None, ava)
        assert db.session.get(CampaignNumber, old_id).campaign_id == campaign_id
        waiting = db.session.scalar(sa.select(NumberReplacement))
        assert waiting.status == "waiting"

    monkeypatch.undo()  # the provider is back: the retry buys it (its hold was used up)
    bought = buy(client, owner, NEW)
    assert bought.status_code == 200, bought.get_json()
    with app.app_context():
        # Bought without the cart's hold, it is finished by the sweep, a minute later at most.
        assert db.session.get(PhoneNumber, old_id).status == "active"
        assert complete_due_replacements() == "1 replacements completed"
        assert db.session.get(PhoneNumber, old_id).status == "releasing"


def test_no_number_in_the_area_code_offers_the_same_state(app, client, factory, monkeypatch):
    owner, _campaign, old_id, _ava = in_use(app, client, factory)
    from app.numbers import replacing

    real = replacing.search_numbers

    def only_statewide(filters):
        if filters.area_code:
            return real(filters.__class__(filters.country_code, area_code="900", limit=0))
        return real(filters)

    monkeypatch.setattr(replacing, "search_numbers", only_statewide)
    refused = assert_error(replace(client, owner, old_id), 409, "no_number_nearby")
    assert refused["error"]["message"] == (
        "No numbers are on offer in area code 415 to replace (415) 555-0101. "
        "Replace it with a number from the same state instead."
    )
    assert refused["tryScope"] == "region"
    statewide = replace(client, owner, old_id, scope="region")
    assert statewide.status_code == 201, statewide.get_json()
    assert statewide.get_json()["replacement"]["phoneNumber"].startswith("+1")


def test_other_teams_numbers_and_bad_scopes(app, client, factory):
    owner, _campaign, old_id, _ava = in_use(app, client, factory)
    stranger = factory.member("growth")
    assert_error(replace(client, stranger, old_id), 404, "not_found")
    bad = assert_error(replace(client, owner, old_id, scope="planet"), 400, "invalid_request")
    assert bad["error"]["fields"] == {"scope": "Send area_code (the default) or region."}
    member = factory.member(team_id=owner.team_id, role="member")
    assert_error(replace(client, member, old_id), 403, "forbidden")
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(NumberReplacement)) == 0


def test_two_replaces_at_once_make_one_replacement_and_one_hold(app, client, factory):
    from app.numbers.replacing import replace_number
    from tests.helpers import race

    owner, _campaign, old_id, _ava = in_use(app, client, factory)
    admin = factory.member(team_id=owner.team_id, role="admin")

    def replace_it(actor):
        replacement, _created = replace_number(actor, old_id)
        return replacement.id

    outcomes = race(app, [(owner, replace_it), (admin, replace_it)])
    with app.app_context():
        (only,) = db.session.scalars(sa.select(NumberReplacement.id)).all()
        holds = db.session.scalars(sa.select(CartItem.phone_number)).all()
    assert outcomes == [only, only]
    assert holds == [NEW]
