"""Stripe's invoices over real HTTP against the fake (GET /v1/invoices), and the Plans page
that lists them for an owner with links to Stripe's hosted page and PDF."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from app.billing.base import BillingError, Invoice
from app.extensions import db
from app.models import Team
from tests.billing.helpers import stripe_settings
from tests.fakes.stripe import FakeStripe
from tests.pages.helpers import Auth, soup, text
from tests.support import build_app, teardown_app

NOV_1 = int(datetime(2026, 11, 1, 9, 30, tzinfo=UTC).timestamp())
DEC_1 = int(datetime(2026, 12, 1, 9, 30, tzinfo=UTC).timestamp())


def test_the_customers_invoices_newest_first_in_main_units(billing, fake: FakeStripe):
    customer = fake.add_customer("owner@example.com")
    older = fake.add_invoice(customer, total=4900, created=NOV_1)
    newer = fake.add_invoice(customer, total=1000, status="open", created=DEC_1)
    yen = fake.add_invoice(customer, total=5000, currency="jpy", created=NOV_1 - 60)
    draft = fake.add_invoice(customer, status="draft", total=250, created=NOV_1 - 120)
    fake.add_invoice(fake.add_customer("someone@example.com"), total=999)  # not theirs

    found = billing.list_invoices(customer, 12)

    [sent] = fake.requests_to("GET", "/v1/invoices")
    assert sent.params == {"customer": customer, "limit": "12"}
    assert found == [
        Invoice(newer["id"], newer["number"], "open", Decimal("10.00"), "USD",
                datetime(2026, 12, 1, 9, 30, tzinfo=UTC),
                newer["hosted_invoice_url"], newer["invoice_pdf"]),
        Invoice(older["id"], older["number"], "paid", Decimal("49.00"), "USD",
                datetime(2026, 11, 1, 9, 30, tzinfo=UTC),
                older["hosted_invoice_url"], older["invoice_pdf"]),
        Invoice(yen["id"], yen["number"], "paid", Decimal("5000"), "JPY",
                datetime(2026, 11, 1, 9, 29, tzinfo=UTC),
                yen["hosted_invoice_url"], yen["invoice_pdf"]),
        Invoice(draft["id"], None, "draft", Decimal("2.50"), "USD",
                datetime(2026, 11, 1, 9, 28, tzinfo=UTC), None, None),
    ]  # fmt: skip
    assert older["hosted_invoice_url"].startswith("https://invoice.stripe.com/i/")
    assert older["invoice_pdf"].startswith("https://pay.stripe.com/invoice/")


def test_only_as_many_as_asked(billing, fake: FakeStripe):
    customer = fake.add_customer("owner@example.com")
    for day in range(5):
        fake.add_invoice(customer, created=NOV_1 + day * 86400)
    assert len(billing.list_invoices(customer, 3)) == 3


def test_an_unknown_customer_is_a_billing_error_with_stripes_words(billing):
    with pytest.raises(BillingError) as caught:
        billing.list_invoices("cus_gone", 12)
    assert caught.value.message == "Stripe refused the request: No such customer: 'cus_gone'"
    assert (caught.value.code, caught.value.param) == ("resource_missing", "customer")


# -- the Plans page ------------------------------------------------------------------------


@pytest.fixture
def app(tmp_path, fake: FakeStripe, prices):
    app = build_app(tmp_path, **stripe_settings(fake, prices))
    yield app
    teardown_app(app)


@pytest.fixture
def customer(app, factory, fake: FakeStripe):
    """A Growth team whose Stripe customer has two invoices; (owner, customer id)."""
    owner = factory.member("growth")
    customer_id = fake.add_customer(owner.email)
    with app.app_context():
        db.session.get(Team, owner.team_id).billing_customer_id = customer_id
        db.session.commit()
    return owner, customer_id


def test_an_owner_sees_the_invoices_with_links_to_stripe(app, client, fake, customer):
    owner, customer_id = customer
    paid = fake.add_invoice(customer_id, total=4900, created=NOV_1)
    draft = fake.add_invoice(customer_id, status="draft", total=4900, created=DEC_1)
    Auth(client).sign_in(owner)
    page = soup(client.get(f"/teams/{owner.team_id}/plans"))
    rows = page.select("#invoices-table tbody tr")
    assert [[text(td) for td in row.select("td")[1:4]] for row in rows] == [
        ["Draft", "Draft", "49.00 USD"],
        [paid["number"], "Paid", "49.00 USD"],
    ]
    assert rows[0].select("a") == []  # a draft has no page yet
    links = {a["data-role"]: a["href"] for a in rows[1].select("a")}
    assert links == {"hosted": paid["hosted_invoice_url"], "pdf": paid["invoice_pdf"]}
    assert draft["id"] == rows[0]["id"].removeprefix("invoice-")
    assert page.select_one("#statements") is None  # statements are the sandbox's


def test_when_stripe_fails_the_page_still_answers_and_says_so(app, client, fake, customer):
    owner, _customer_id = customer
    fake.fail("GET", "/v1/invoices", status=500, times=5)  # the retry fails too
    Auth(client).sign_in(owner)
    response = client.get(f"/teams/{owner.team_id}/plans")
    assert response.status_code == 200
    problem = text(soup(response).select_one("#invoices-problem"))
    assert problem.startswith("The invoices could not be listed just now (Stripe failed")


def test_a_member_sees_no_invoices_and_stripe_is_not_asked(app, client, factory, fake, customer):
    owner, customer_id = customer
    fake.add_invoice(customer_id)
    member = factory.member(team_id=owner.team_id, role="member")
    Auth(client).sign_in(member)
    page = soup(client.get(f"/teams/{owner.team_id}/plans"))
    assert page.select_one("#invoices") is None
    assert fake.requests_to("GET", "/v1/invoices") == []
