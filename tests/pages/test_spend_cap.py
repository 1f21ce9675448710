"""The spend cap on the pages: the month's spend beside the plan where buying happens, offers
past the cap disabled, and a refusal that links an owner to the cap (others ask an owner)."""

from __future__ import annotations

import pytest
from werkzeug.datastructures import MultiDict

from tests.factories import guard, hold
from tests.helpers import bought_id, sandbox_number
from tests.pages.helpers import Auth, buy, search_url, soup, text

SEARCH = {"country": "US", "area_code": "415", "limit": "3"}


def signed_in(app, who):
    client = app.test_client()
    assert Auth(client).sign_in(who).status_code == 302
    return client


@pytest.fixture
def capped(app, factory):
    """A Growth team with a $5.00 cap, $4.00 of it spent: an owner and a member."""
    owner = factory.member("growth")
    member = factory.member(team_id=owner.team_id, role="member")
    client = app.test_client()
    for index in range(2):
        bought_id(client, owner, sandbox_number("212", index))
    guard(app, owner, spend_cap="5.00")
    return owner, member


def test_the_search_shows_the_spend_and_disables_offers_past_the_cap(app, capped):
    owner, _member = capped
    page = soup(signed_in(app, owner).get(search_url(owner.team_id), query_string=SEARCH))
    assert text(page.select_one("#spending-headline")).startswith("$4.00 of $5.00 spent in ")
    assert text(page.select_one("#spending-detail")).startswith("$1.00 left under the monthly cap.")
    buttons = page.select("button[data-buy]")
    assert buttons and all(b.has_attr("disabled") for b in buttons)
    assert {text(b.select_one(".buy-label")) for b in buttons} == {"Over the cap"}


def test_without_a_guardrail_the_search_shows_no_spend(app, factory):
    owner = factory.member("growth")
    page = soup(signed_in(app, owner).get(search_url(owner.team_id), query_string=SEARCH))
    assert page.select_one("#spending") is None
    assert {text(b.select_one(".buy-label")) for b in page.select("button[data-buy]")} == {"Buy"}


@pytest.mark.parametrize("role", ["owner", "member"])
def test_a_refused_buy_says_why_and_who_can_raise_the_cap(app, capped, role):
    owner, member = capped
    client = signed_in(app, owner if role == "owner" else member)
    response = buy(client, owner.team_id, sandbox_number("415", 3))
    assert response.status_code == 403
    cell = soup(response).select_one("td#buy-14155550103")
    assert cell["data-outcome"] == "cap"
    assert "past its monthly cap of $5.00 ($4.00 spent, $1.00 left)" in text(cell)
    link = cell.select_one("a[data-role=raise-cap]")
    if role == "owner":
        assert link["href"] == f"/teams/{owner.team_id}/settings#guardrails"
        assert "Raise the cap in the team's settings." in text(cell)
    else:
        assert link is None and text(cell).endswith("Ask an owner to raise the cap.")


def test_the_cart_refusal_links_an_owner_to_the_cap(app, capped):
    owner, _member = capped
    hold(app, owner, sandbox_number("415", 3))
    client = signed_in(app, owner)
    cart = soup(client.get(f"/teams/{owner.team_id}/cart"))
    assert text(cart.select_one("#spending-headline")).startswith("$4.00 of $5.00")
    form = cart.select_one("#buy-cart-form")
    data = MultiDict([(i["name"], i["value"]) for i in form.select("input[type=hidden]")])
    response = client.post(form["action"], data=data)
    assert response.status_code == 403
    refusal = soup(response).select_one("#cart-refusal")
    assert "monthly cap of $5.00" in text(refusal)
    assert refusal.select_one("a[data-role=raise-cap]")["href"].endswith("/settings#guardrails")
