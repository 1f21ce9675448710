"""TelnyxProvider's owned numbers, releases, requirements and webhook signatures."""

from __future__ import annotations

import base64
import json

import pytest

import app.providers.telnyx.http as http
from app.providers.base import ProviderError, ProviderTimeout, Requirement
from app.providers.telnyx.webhooks import WebhookRejected, public_key, verify
from tests.fakes.telnyx_regulation import LOCAL_ADDRESS, PROOF_OF_ADDRESS

NUMBER = "+14155550100"


def test_only_an_active_record_is_owned(fake, telnyx):
    active = fake.add_owned(NUMBER)
    fake.add_owned("+14155550101", status="purchase-pending")
    fake.add_owned("+14155550102", status="purchase-failed")
    fake.add_owned("+14155550103", status="requirement-info-under-review")
    fake.add_owned("+14155550104", status="deleted")

    assert (telnyx.find_owned(NUMBER).id, telnyx.find_owned(NUMBER).status) == (active, "active")
    assert telnyx.find_owned("+14155550101").status == "pending"
    assert telnyx.find_owned("+14155550102").status == "gone"
    assert telnyx.find_owned("+14155550103").status == "pending"
    assert telnyx.find_owned("+14155550104") is None
    assert telnyx.find_owned("+14155550199") is None


def test_owned_numbers_reads_every_page(fake, telnyx, monkeypatch):
    monkeypatch.setattr(http, "PAGE_SIZE", 10)
    for index in range(25):
        fake.add_owned(f"+1415555{index:04d}")
    fake.add_owned("+14155559999", status="deleted")

    owned = list(telnyx.owned_numbers())

    assert len(owned) == 25 and {o.status for o in owned} == {"active"}
    pages = [r.query["page[number]"] for r in fake.requests_to("GET", "/v2/phone_numbers")]
    assert pages == ["1", "2", "3"]


def test_release_deletes_the_number(fake, telnyx):
    number_id = fake.add_owned(NUMBER)

    telnyx.release(number_id)

    assert fake.owned[number_id]["status"] == "deleted"
    assert telnyx.find_owned(NUMBER) is None


def test_release_of_an_unknown_id_counts_as_released(fake, telnyx):
    telnyx.release("999")

    assert [r.method for r in fake.requests] == ["DELETE"]


def test_a_deletion_lock_is_a_definite_refusal(fake, telnyx):
    number_id = fake.add_owned(NUMBER, deletion_lock_enabled=True)

    with pytest.raises(ProviderError, match="Deletion lock") as raised:
        telnyx.release(number_id)
    assert not raised.value.outcome_unknown
    assert fake.owned[number_id]["status"] == "active"


def test_a_release_done_but_answered_late_counts_as_released(fake, make_provider):
    telnyx = make_provider(read_timeout=0.3)
    number_id = fake.add_owned(NUMBER)
    fake.fail("DELETE", "/v2/phone_numbers/*", delay=0.6, process=True)

    telnyx.release(number_id)

    assert fake.owned[number_id]["status"] == "deleted"
    assert len(fake.requests_to("DELETE", f"/v2/phone_numbers/{number_id}")) == 1


def test_a_release_lost_on_the_way_is_an_unknown_timeout(fake, make_provider):
    telnyx = make_provider(read_timeout=0.3)
    number_id = fake.add_owned(NUMBER)
    fake.fail("DELETE", "/v2/phone_numbers/*", delay=0.6, drop=True)

    with pytest.raises(ProviderTimeout) as raised:
        telnyx.release(number_id)
    assert raised.value.outcome_unknown
    assert fake.owned[number_id]["status"] == "active"


@pytest.mark.parametrize(("applied", "raises"), [(True, False), (False, True)])
def test_a_500_on_release_asks_whether_it_happened(fake, telnyx, applied, raises):
    number_id = fake.add_owned(NUMBER)
    fake.fail("DELETE", "/v2/phone_numbers/*", status=500, process=applied)

    if raises:
        with pytest.raises(ProviderError) as raised:
            telnyx.release(number_id)
        assert raised.value.outcome_unknown
    else:
        telnyx.release(number_id)
    assert (fake.owned[number_id]["status"] == "deleted") is applied


def test_requirements_name_the_documents_a_regulated_order_needs(fake, telnyx):
    assert telnyx.requirements("DE", "local") == [
        Requirement(
            "Address in the number's area",
            "Street, building, postal code and city.",
            LOCAL_ADDRESS["id"],
            "address",
        ),
        Requirement(
            "Proof of address",
            "A utility bill from the number's area, under 3 months old.",
            PROOF_OF_ADDRESS["id"],
            "document",
        ),
    ]
    assert telnyx.requirements("US", "local") == []
    (asked, _) = fake.requests_to("GET", "/v2/requirements")
    assert asked.query == {
        "filter[country_code]": "DE",
        "filter[phone_number_type]": "local",
        "filter[action]": "ordering",
    }


# -- webhook signatures --------------------------------------------------------------------


def event(fake):
    return {"data": {"event_type": "number_order.complete", "id": "evt-1", "payload": {}}}


def test_a_signed_fresh_event_is_verified(fake):
    body, headers = fake.signed(event(fake))
    data = verify(
        body,
        headers["telnyx-signature-ed25519"],
        headers["telnyx-timestamp"],
        public_key(fake.public_key),
    )
    assert data["id"] == "evt-1"


def test_a_tampered_body_a_stale_time_or_another_key_is_rejected(fake):
    key = public_key(fake.public_key)
    body, headers = fake.signed(event(fake))
    signature, stamp = headers["telnyx-signature-ed25519"], headers["telnyx-timestamp"]
    tampered = json.dumps({"data": {"event_type": "number_order.complete", "id": "evt-2"}}).encode()
    with pytest.raises(WebhookRejected):
        verify(tampered, signature, stamp, key)
    with pytest.raises(WebhookRejected, match="too old"):
        verify(body, signature, stamp, key, now=int(stamp) + 301)
    with pytest.raises(WebhookRejected):
        verify(body, signature, str(int(stamp) + 1), key)  # the time is signed too
    with pytest.raises(WebhookRejected, match="Missing"):
        verify(body, None, stamp, key)
    other = public_key(base64.b64encode(b"\x01" * 32).decode())
    with pytest.raises(WebhookRejected):
        verify(body, signature, stamp, other)


def test_a_malformed_public_key_is_refused():
    with pytest.raises(ValueError):
        public_key("not base64 at all")
    with pytest.raises(ValueError):
        public_key(base64.b64encode(b"short").decode())
