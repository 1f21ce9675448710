"""A regulated order's documents (sandbox: DE asks for two documents and an address): the row
links to them with the deadline, the page takes them or cancels the order, the plan frees up."""

from __future__ import annotations

import io

import pytest

from app.exceptions import ValidationFailed
from app.extensions import db
from app.models import AuditEvent, PhoneNumber
from app.numbers.documents import Answers, Upload, provide_documents
from app.phone import LOCAL
from app.providers.base import SearchFilters
from app.providers.sandbox import SandboxProvider
from tests.factories import actor_of
from tests.pages.helpers import add_number, buy, csrf_token, numbers_url, soup, text

PDF = b"%PDF-1.4\n% a bill\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 16
ADDRESS = {
    "first_name": "Ada",
    "last_name": "Lovelace",
    "business_name": "Analytical GmbH",
    "street_address": "Unter den Linden 1",
    "locality": "Berlin",
    "postal_code": "10117",
}


def german_numbers(count: int) -> list[str]:
    found = SandboxProvider().search_page(SearchFilters("DE", None, LOCAL, count)).numbers
    return [n.phone_number for n in found]


def ordered(app, client, owner, e164: str) -> str:
    assert buy(client, owner.team_id, e164).status_code == 200
    with app.app_context():
        number = db.session.scalar(db.select(PhoneNumber).where(PhoneNumber.phone_number == e164))
        assert (number.status, number.status_reason) == ("pending", "documents")
        assert number.documents_deadline is not None
        return number.id


def documents_url(team_id: str, number_id: str) -> str:
    return f"/teams/{team_id}/numbers/{number_id}/documents"


def answers(client, url: str, **extra) -> dict:
    data = {"csrf_token": csrf_token(client, url)}
    data |= {f"address-sbx-address-{key}": value for key, value in ADDRESS.items()}
    data |= extra
    return data


def test_the_row_links_to_the_documents_with_the_deadline(app, client, growth):
    (e164,) = german_numbers(1)
    number_id = ordered(app, client, growth, e164)
    page = soup(client.get(numbers_url(growth.team_id)))
    row = page.select_one(f"tr[data-number='{e164}']")
    assert row.select_one("[data-role=documents-deadline]")["datetime"].endswith("Z")
    link = row.select_one("a[data-role=provide-documents]")
    assert link["href"] == documents_url(growth.team_id, number_id)
    shown = soup(client.get(link["href"]))
    assert [f["data-kind"] for f in shown.select("#documents-form fieldset")] == [
        "document",
        "document",
        "address",
    ]
    assert shown.select_one("#documents-deadline time")["datetime"].endswith("Z")
    assert shown.select_one("#cancel-order-form") is not None


def test_missing_or_unfit_documents_are_form_errors_and_nothing_is_sent(app, client, growth):
    (e164,) = german_numbers(1)
    number_id = ordered(app, client, growth, e164)
    url = documents_url(growth.team_id, number_id)
    data = answers(client, url, **{"file-sbx-identity": (io.BytesIO(b"MZ"), "a.exe")})
    data["address-sbx-address-locality"] = ""
    response = client.post(url, data=data, content_type="multipart/form-data")
    assert response.status_code == 400
    page = soup(response)
    problems = [a["href"] for a in page.select("#documents-problems a")]
    assert problems == [
        "#file-sbx-proof-of-address",
        "#file-sbx-identity",
        "#address-sbx-address-locality",
    ]
    assert "PDF, JPEG or PNG" in text(page.select_one("#file-sbx-identity-error"))
    assert page.select_one("#address-sbx-address-street_address")["value"] == "Unter den Linden 1"
    with app.app_context():
        number = db.session.get(PhoneNumber, number_id)
        assert (number.status, number.documents_sent_at) == ("pending", None)


def test_providing_the_documents_completes_the_order_in_the_sandbox(app, client, growth):
    (e164,) = german_numbers(1)
    number_id = ordered(app, client, growth, e164)
    url = documents_url(growth.team_id, number_id)
    data = answers(
        client,
        url,
        **{
            "file-sbx-proof-of-address": (io.BytesIO(PDF), "bill.pdf"),
            "file-sbx-identity": (io.BytesIO(PNG), "passport.png"),
        },
    )
    response = client.post(url, data=data, content_type="multipart/form-data")
    assert response.status_code == 302
    with app.app_context():
        number = db.session.get(PhoneNumber, number_id)
        assert number.status == "active" and number.documents_sent_at is not None
        (event,) = db.session.scalars(
            db.select(AuditEvent).where(AuditEvent.action == "documents_sent")
        )
        assert event.subject == e164


def test_cancelling_the_pending_order_frees_the_plan_slot(app, client, factory, auth):
    owner = factory.member("starter")  # room for 3 numbers
    auth.sign_in(owner)
    first, second, third, fourth = german_numbers(4)
    number_id = ordered(app, client, owner, first)
    for e164 in (second, third):
        ordered(app, client, owner, e164)
    full = buy(client, owner.team_id, fourth)
    assert full.get_json() is None and "limit" in soup(full).select_one("td")["data-outcome"]
    url = f"/teams/{owner.team_id}/numbers/{number_id}/cancel-order"
    data = {"csrf_token": csrf_token(client, documents_url(owner.team_id, number_id))}
    response = client.post(url, data=data)
    assert response.status_code == 303
    with app.app_context():
        assert db.session.get(PhoneNumber, number_id) is None
        (event,) = db.session.scalars(
            db.select(AuditEvent).where(AuditEvent.action == "order_cancelled")
        )
        assert event.subject == first
    ordered(app, client, owner, fourth)  # the freed place takes a new number


def test_another_teams_number_is_404(app, client, growth, factory):
    stranger = factory.member("growth")
    (e164,) = german_numbers(1)
    with app.app_context():
        their = add_number(
            app, stranger.team_id, e164, status="pending", status_reason="documents",
            provider_order_id="sbx-1-1",
        )  # fmt: skip
    assert client.get(documents_url(growth.team_id, their)).status_code == 404
    token = csrf_token(client, numbers_url(growth.team_id))
    cancel = f"/teams/{growth.team_id}/numbers/{their}/cancel-order"
    assert client.post(cancel, data={"csrf_token": token}).status_code == 404


def test_the_costs_count_a_pending_number_apart(app, client, growth):
    (e164,) = german_numbers(1)
    ordered(app, client, growth, e164)
    page = soup(client.get(numbers_url(growth.team_id)))
    assert text(page.select_one("[data-role=monthly-total]")) == "$0.00"
    pending = page.select_one("#costs-pending")
    assert pending["data-pending"] == "1"
    assert text(pending.select_one("[data-role=pending-monthly]")) != "$0.00"


def test_a_scan_larger_than_other_forms_take_is_taken_on_this_form(app, client, growth):
    """The app refuses bodies over 64 KB; this one form takes documents of up to 5 MB each.
    (400 KB: the test client writes bodies past 500 KB to a file it never closes.)"""
    (e164,) = german_numbers(1)
    number_id = ordered(app, client, growth, e164)
    url = documents_url(growth.team_id, number_id)
    scan = PNG + b"\0" * (400 * 1024)  # a photo of a bill
    data = answers(client, url, **{"file-sbx-proof-of-address": (io.BytesIO(scan), "bill.png")})
    response = client.post(url, data=data, content_type="multipart/form-data")
    assert response.status_code == 400
    page = soup(response)
    assert [a["href"] for a in page.select("#documents-problems a")] == ["#file-sbx-identity"]
    elsewhere = client.post(
        f"/teams/{growth.team_id}/numbers/{number_id}/cancel-order",
        data={"csrf_token": "x", "padding": "y" * (128 * 1024)},
    )
    assert elsewhere.status_code == 413  # the small limit still holds on every other form


def test_a_file_over_five_megabytes_is_a_form_error(app, client, growth):
    (e164,) = german_numbers(1)
    number_id = ordered(app, client, growth, e164)
    answers_given = Answers(
        files={
            "sbx-proof-of-address": Upload("bill.pdf", PDF + b"\0" * (5 * 1024 * 1024)),
            "sbx-identity": Upload("passport.png", PNG),
        },
        addresses={"sbx-address": dict(ADDRESS)},
    )
    with app.app_context(), pytest.raises(ValidationFailed) as refused:
        provide_documents(actor_of(growth), number_id, answers_given)
    assert refused.value.fields == {
        "file-sbx-proof-of-address": "“Proof of address” is larger than 5 MB."
    }
