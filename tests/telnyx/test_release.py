"""Releasing on Telnyx: a release is done only when Telnyx says the number is gone.

These are about Telnyx's own answers to a release, so each releases at once
(RELEASE_GRACE_MINUTES=0); tests/telnyx/test_release_sweep.py follows a scheduled release.
"""

import pytest

from app.extensions import db
from app.models import PhoneNumber
from tests.helpers import assert_error, buy, listed
from tests.invariants import assert_accounts_agree
from tests.telnyx import NUMBER

NUMBERS = "/v2/phone_numbers/*"


@pytest.fixture(autouse=True)
def at_once(release_at_once):
    return release_at_once


def release(client, member, number_id):
    return client.delete(
        f"/api/phone-numbers/{number_id}",
        query_string={"teamId": member.team_id},
        headers=member.headers,
    )


def bought(client, member) -> str:
    response = buy(client, member, NUMBER)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()["phoneNumber"]["id"]


def status(app, number_id):
    with app.app_context():
        return db.session.get(PhoneNumber, number_id).status


def test_a_release_gives_the_number_back(app, client, factory, fake):
    member = factory.member("growth")
    number_id = bought(client, member)
    assert release(client, member, number_id).get_json()["phoneNumber"]["status"] == "released"
    assert [r["status"] for r in fake.owned.values()] == ["deleted"]
    assert_accounts_agree(app, fake)


def test_a_release_telnyx_did_but_answered_late_is_released(app, client, factory, fake):
    member = factory.member("growth")
    number_id = bought(client, member)
    fake.fail("DELETE", NUMBERS, delay=1.0, process=True)  # done, answered after our timeout
    assert release(client, member, number_id).status_code == 200
    assert status(app, number_id) == "released"
    assert_accounts_agree(app, fake)


def test_a_release_not_yet_confirmed_is_releasing_until_telnyx_says(
    app, client, factory, fake, sync
):
    member = factory.member("growth")
    number_id = bought(client, member)
    # Telnyx takes the DELETE, does it only after we stopped waiting, and the answer is lost.
    fake.fail("DELETE", NUMBERS, delay=1.0, drop=True, process=True, effect_later=True)
    body = assert_error(release(client, member, number_id), 504, "provider_timeout")
    assert "releasing it again is safe" in body["error"]["message"]
    assert status(app, number_id) == "releasing"
    (row,) = listed(client, member).get_json()["numbers"]
    assert (row["status"], row["state"]) == ("active", "releasing")
    assert sync() == "1 of 1 pending numbers settled"
    assert status(app, number_id) == "released"
    assert listed(client, member).get_json()["count"] == 0
    assert_accounts_agree(app, fake)


def test_retrying_a_release_that_was_never_done_releases_it(app, client, factory, fake):
    member = factory.member("growth")
    number_id = bought(client, member)
    fake.fail("DELETE", NUMBERS, delay=1.0, drop=True)  # lost on the way: nothing done
    assert_error(release(client, member, number_id), 504, "provider_timeout")
    assert status(app, number_id) == "releasing"
    assert release(client, member, number_id).status_code == 200  # safe to retry
    assert status(app, number_id) == "released"
    assert_accounts_agree(app, fake)


def test_a_deletion_lock_keeps_the_number_active_and_says_why(app, client, factory, fake):
    member = factory.member("growth")
    number_id = bought(client, member)
    (owned_id,) = fake.owned
    fake.owned[owned_id]["deletion_lock_enabled"] = True
    body = assert_error(release(client, member, number_id), 502, "provider_error")
    assert "Deletion lock" in body["error"]["message"]
    assert status(app, number_id) == "active"
    assert_accounts_agree(app, fake)


def test_releasing_a_number_whose_order_is_pending_asks_telnyx_first(app, client, factory, fake):
    member = factory.member("growth")
    fake.hold_orders = True
    number_id = bought(client, member)
    before = len(fake.requests_to("GET", f"/v2/number_orders/{next(iter(fake.orders))}"))
    assert_error(release(client, member, number_id), 409, "number_unavailable")
    after = len(fake.requests_to("GET", f"/v2/number_orders/{next(iter(fake.orders))}"))
    assert after == before + 1  # it asked, and the order is still pending
    fake.complete_order(next(iter(fake.orders)))
    assert release(client, member, number_id).status_code == 200
    assert_accounts_agree(app, fake)
