"""Past the largest plan: a refusal never offers a larger plan that does not exist. With
SALES_CONTACT_URL it offers sales (a link on the pages, the address in the API's message);
without it, it promises no contact."""

from __future__ import annotations

import pytest

from tests.factories import seed
from tests.helpers import assert_error, buy, sandbox_number
from tests.pages.helpers import Auth, soup, text

SALES = "mailto:sales@example.com"


@pytest.fixture
def full_scale(app, factory):
    member = factory.member("scale")
    seed(app, member, 50)
    return member


def test_the_api_refusal_at_the_top_gives_the_sales_address(app, client, full_scale):
    app.config["SALES_CONTACT_URL"] = SALES
    body = assert_error(
        buy(client, full_scale, sandbox_number("212", 0)), 403, "plan_limit_reached"
    )
    assert body["error"]["message"] == (
        "The Scale plan allows 50 numbers and this team has reached it. Release a number to buy "
        f"another, or talk to sales about a custom limit: {SALES}."
    )


def test_without_a_contact_the_refusal_promises_nothing(client, full_scale):
    body = assert_error(
        buy(client, full_scale, sandbox_number("212", 0)), 403, "plan_limit_reached"
    )
    message = body["error"]["message"]
    assert message == (
        "The Scale plan allows 50 numbers and this team has reached it. "
        "Release a number to buy another."
    )
    assert "larger plan" not in message and "contact" not in message.lower()


def test_below_the_top_the_refusal_offers_the_next_plan(client, factory):
    member = factory.member("starter")
    for i in range(3):
        buy(client, member, sandbox_number("212", i))
    message = assert_error(buy(client, member, sandbox_number("212", 9)), 403, "plan_limit_reached")
    assert "Upgrade the plan" in message["error"]["message"]


def test_the_pages_link_to_sales_at_the_top(app, client, full_scale):
    app.config["SALES_CONTACT_URL"] = SALES
    Auth(client).sign_in(full_scale)
    plans = soup(client.get(f"/teams/{full_scale.team_id}/plans"))
    contact = plans.select_one("#sales-contact")
    assert text(contact).startswith("Need more than 50 numbers? Talk to sales")
    assert contact.select_one("[data-role=sales-link]")["href"] == SALES
    banner = soup(client.get(f"/teams/{full_scale.team_id}/numbers")).select_one("#plan-banner")
    assert banner.select_one("[data-role=sales-link]")["href"] == SALES
    search = soup(client.get(f"/teams/{full_scale.team_id}/search?country=US&area_code=212"))
    notice = search.select_one("#offers-notice")
    assert notice.select_one("[data-role=sales-link]")["href"] == SALES
    assert text(notice.select_one("[data-role=sales-link]")) == "sales@example.com"
    assert "larger plan" not in text(notice)


def test_without_a_contact_the_pages_offer_none(client, full_scale):
    Auth(client).sign_in(full_scale)
    for page in ("plans", "numbers", "search?country=US&area_code=212"):
        html = soup(client.get(f"/teams/{full_scale.team_id}/{page}"))
        assert html.select("[data-role=sales-link]") == [], page
        assert html.select_one("#sales-contact") is None
        assert "Contact us" not in text(html.select_one("main")), page
