"""A regulated order on Telnyx: the team's documents and address reach Telnyx as its
regulatory API takes them (documents, an address, a requirement group applied to the ordered
number); cancelling cancels the sub order; the accounts agree after each."""

from __future__ import annotations

import pytest

from app.exceptions import ProviderFailed, ValidationFailed
from app.extensions import db
from app.models import PhoneNumber
from app.numbers.documents import Answers, Upload, cancel_order, provide_documents
from tests.factories import actor_of
from tests.fakes.telnyx_regulation import LOCAL_ADDRESS, PROOF_OF_ADDRESS
from tests.helpers import buy
from tests.invariants import assert_accounts_agree

GERMAN = "+4930901820"
PDF = b"%PDF-1.4\n% a bill\n"
ADDRESS = {
    "first_name": "Ada",
    "last_name": "Lovelace",
    "business_name": "Analytical GmbH",
    "street_address": "Unter den Linden 1",
    "locality": "Berlin",
    "postal_code": "10117",
}


@pytest.fixture
def waiting(app, client, factory, fake):
    fake.add_available(GERMAN, country_code="DE")
    member = factory.member("growth")
    body = buy(client, member, GERMAN).get_json()
    assert body["phoneNumber"]["pending_reason"] == "documents"
    with app.app_context():
        number = db.session.scalar(db.select(PhoneNumber))
        (item,) = fake.order_items().values()
        assert number.documents_deadline.isoformat().replace("+00:00", "Z") == item["deadline"]
        return member, number.id


def full_answers() -> Answers:
    return Answers(
        files={PROOF_OF_ADDRESS["id"]: Upload("bill.pdf", PDF)},
        addresses={LOCAL_ADDRESS["id"]: dict(ADDRESS)},
    )


def test_documents_reach_telnyx_and_the_approved_order_completes(app, fake, waiting, sync):
    member, number_id = waiting
    with app.app_context():
        number = provide_documents(actor_of(member), number_id, full_answers())
        assert number.status == "pending" and number.documents_sent_at is not None
    (document,) = fake.documents.values()
    assert document["filename"] == "bill.pdf" and document["content_type"] == "application/pdf"
    (address,) = fake.addresses.values()
    assert (address["locality"], address["country_code"]) == ("Berlin", "DE")
    (group,) = fake.requirement_groups.values()
    assert {v["requirement_id"]: v["field_value"] for v in group["regulatory_requirements"]} == {
        LOCAL_ADDRESS["id"]: address["id"],
        PROOF_OF_ADDRESS["id"]: document["id"],
    }
    (item,) = fake.order_items().values()
    assert item["requirements_status"] == "requirement-info-under-review"
    fake.approve_documents(next(iter(fake.orders)))
    assert sync() == "1 of 1 pending numbers settled"
    with app.app_context():
        assert db.session.get(PhoneNumber, number_id).status == "active"
    assert_accounts_agree(app, fake)


def test_telnyx_refusing_a_value_is_a_form_error_and_nothing_is_marked_sent(app, fake, waiting):
    member, number_id = waiting
    fake.fail("POST", "/documents", status=422, body={
        "errors": [{"code": "10015", "title": "Invalid document",
                    "detail": "The document could not be read", "source": {"pointer": "/file"}}]
    })  # fmt: skip
    with app.app_context():
        with pytest.raises(ValidationFailed) as refused:
            provide_documents(actor_of(member), number_id, full_answers())
        assert "could not be read" in refused.value.message
        assert db.session.get(PhoneNumber, number_id).documents_sent_at is None
    assert fake.requirement_groups == {}


def test_cancelling_cancels_the_sub_order_at_telnyx(app, client, fake, waiting):
    member, number_id = waiting
    with app.app_context():
        assert cancel_order(actor_of(member), number_id) == GERMAN
        assert db.session.get(PhoneNumber, number_id) is None
    (order,) = fake.orders.values()
    assert order["status"] == "failure"
    assert order["phone_numbers"][0]["requirements_status"] == "cancelled"
    (sent,) = fake.requests_to(
        "PATCH", f"/v2/sub_number_orders/{order['sub_number_orders_ids'][0]}/cancel"
    )
    assert sent is not None
    assert_accounts_agree(app, fake)


def test_an_order_telnyx_completed_meanwhile_is_not_cancelled_here(app, fake, waiting):
    member, number_id = waiting
    fake.approve_documents(next(iter(fake.orders)))
    with app.app_context():
        with pytest.raises(ProviderFailed) as refused:
            cancel_order(actor_of(member), number_id)
        assert "pending" in refused.value.message
        assert db.session.get(PhoneNumber, number_id) is not None  # sync settles it active
