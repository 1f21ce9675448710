"""The cart pages: hold from the search, review (place, capabilities, prices, totals, trial
terms, documents, what the plan allows), remove, and buy the whole cart in one action."""

from __future__ import annotations

from datetime import timedelta

import pytest
from werkzeug.datastructures import MultiDict

from app.extensions import db
from app.models import CartItem, PhoneNumber, utcnow
from app.providers.base import SearchFilters
from app.providers.sandbox import SandboxProvider
from tests.factories import hold as hold_directly
from tests.helpers import TRIAL_DAYS, buy, search
from tests.pages.helpers import HTMX, csrf_token, search_url, soup, text


def cart_url(team_id: str) -> str:
    return f"/teams/{team_id}/cart"


def hold(client, team_id: str, phone_number: str, *, htmx: bool = True):
    token = csrf_token(client, search_url(team_id))
    headers = {**HTMX, "X-CSRFToken": token} if htmx else {}
    data = {"phone_number": phone_number, "search": "country=US&area_code=415", "csrf_token": token}
    return client.post(cart_url(team_id), data=data, headers=headers)


def buy_cart(client, team_id: str):
    page = soup(client.get(cart_url(team_id)))
    form = page.select_one("form#buy-cart-form")
    data = MultiDict([(i["name"], i["value"]) for i in form.select("input[type=hidden]")])
    return client.post(form["action"], data=data), data


@pytest.fixture
def owner(factory, auth):
    someone = factory.member("starter")
    auth.sign_in(someone)
    return someone


def test_add_to_cart_holds_the_number_and_answers_the_cell(client, owner):
    response = hold(client, owner.team_id, "+14155550107")
    assert response.status_code == 200
    page = soup(response)
    cell = page.select_one("td#hold-cell-14155550107")
    assert cell["data-outcome"] == "held"
    assert "In your cart" in text(cell) and cell.select_one("[autofocus]")
    link = page.select_one("a#cart-link")
    assert (
        link["hx-swap-oob"] == "true"
        and link.select_one("[data-cart-count]")["data-cart-count"] == "1"
    )


def test_the_cart_shows_place_capabilities_prices_totals_and_room(client, owner):
    hold(client, owner.team_id, "+14155550107")
    hold(client, owner.team_id, "+13125550100")
    page = soup(client.get(cart_url(owner.team_id)))
    rows = page.select("#cart-items tbody tr")
    assert [r["data-number"] for r in rows] == ["+14155550107", "+13125550100"]
    first = rows[0]
    assert text(first.select_one("td[data-label=Where]")) == "San Francisco, CA"
    assert [text(c) for c in first.select(".chip")] == ["Voice", "SMS"]
    assert text(first.select_one("td[data-label=Setup]")) == "$1.00"
    assert "ends in 30 min" in text(first.select_one(".hold-until"))
    assert first.select_one(".hold-until time")["datetime"].endswith("Z")  # the absolute end
    assert text(page.select_one("#due-now")) == "$4.00"  # 2 × ($1 setup + $1 first month)
    assert text(page.select_one("#per-month")) == "$2.00"
    assert text(page.select_one("#cart-room")) == "Your Starter plan allows 3 more numbers."
    assert text(page.select_one("#buy-cart")) == "Buy 2 numbers · $4.00 now"


def test_a_free_team_sees_the_trial_terms_and_pays_nothing(client, factory, auth):
    free = factory.member("free")
    auth.sign_in(free)
    hold(client, free.team_id, "+14155550107")
    page = soup(client.get(cart_url(free.team_id)))
    assert f"one trial number for {TRIAL_DAYS} days" in text(page.select_one("#cart-trial")).lower()
    assert text(page.select_one("#due-now")) == "$0.00"
    assert text(page.select_one("#buy-cart")) == "Start free trial"


def test_a_cart_bigger_than_the_plan_says_how_many_fit(client, owner):
    for last in range(4):
        hold(client, owner.team_id, f"+1415555010{last}")
    page = soup(client.get(cart_url(owner.team_id)))
    assert page.select_one("#buy-cart-form") is None
    assert text(page.select_one("#cart-too-big")).startswith(
        "Only 3 of these 4 numbers fit your plan: remove 1"
    )


def test_documents_a_country_needs_are_listed(client, factory, auth):
    owner = factory.member("growth")
    auth.sign_in(owner)
    assert hold(client, owner.team_id, "+4930901820").status_code in (200, 409)

    german = SandboxProvider().search_page(SearchFilters("DE", limit=1)).numbers[0].phone_number
    assert hold(client, owner.team_id, german).status_code == 200
    page = soup(client.get(cart_url(owner.team_id)))
    assert "Proof of address" in text(page.select_one("#cart-documents"))


def test_buying_the_cart_buys_every_number_and_shows_each_result(app, client, owner):
    for last in range(3):
        hold(client, owner.team_id, f"+1415555010{last}")
    response, _ = buy_cart(client, owner.team_id)
    assert response.status_code == 303
    page = soup(client.get(response.headers["Location"]))
    assert text(page.select_one("#order-title")) == "3 of 3 bought"
    statuses = [row["data-status"] for row in page.select("#order-results tbody tr")]
    assert statuses == ["bought"] * 3
    with app.app_context():
        assert db.session.scalars(db.select(CartItem)).all() == []
        held = db.session.scalars(db.select(PhoneNumber.phone_number)).all()
    assert sorted(held) == [f"+1415555010{last}" for last in range(3)]


def test_resending_the_buy_form_buys_once(app, client, owner):
    hold(client, owner.team_id, "+14155550100")
    first, data = buy_cart(client, owner.team_id)
    again = client.post(cart_url(owner.team_id) + "/buy", data=data)
    assert again.headers["Location"] == first.headers["Location"]
    with app.app_context():
        assert len(db.session.scalars(db.select(PhoneNumber)).all()) == 1


def test_another_teams_search_does_not_offer_a_held_number(client, owner, factory):
    hold(client, owner.team_id, "+14155550100")
    stranger = factory.member("growth")
    offered = [
        n["phoneNumber"] for n in search(client, stranger, areaCode="415", limit=3).json["numbers"]
    ]
    assert "+14155550100" not in offered
    refused = buy(client, stranger, "+14155550100")
    assert refused.status_code == 409
    assert "held by another team" in refused.get_json()["error"]["message"]


def test_an_expired_hold_frees_the_number(app, client, owner, factory):
    hold(client, owner.team_id, "+14155550100")
    with app.app_context():
        item = db.session.scalars(db.select(CartItem)).one()
        item.expires_at -= timedelta(minutes=31)
        db.session.commit()
    page = soup(client.get(cart_url(owner.team_id)))
    assert page.select_one("#cart-empty")
    stranger = factory.member("growth")
    offered = [
        n["phoneNumber"] for n in search(client, stranger, areaCode="415", limit=1).json["numbers"]
    ]
    assert offered == ["+14155550100"]
    # The team's next hold clears its expired ones from the table.
    hold(client, owner.team_id, "+14155550101")
    with app.app_context():
        rows = db.session.scalars(db.select(CartItem.phone_number)).all()
    assert rows == ["+14155550101"]


def test_remove_takes_a_number_out(client, owner):
    hold(client, owner.team_id, "+14155550100")
    page = soup(client.get(cart_url(owner.team_id)))
    form = page.select_one("#hold-14155550100 form[action$='/remove']")
    client.post(form["action"], data={"csrf_token": form.select_one("input")["value"]})
    assert soup(client.get(cart_url(owner.team_id))).select_one("#cart-empty")


def test_a_member_holds_and_sees_the_cart(client, factory, auth):
    owner = factory.member("growth")
    someone = factory.member(team_id=owner.team_id, role="member")
    auth.sign_in(someone)
    page = soup(client.get(search_url(owner.team_id), query_string={"country": "US", "limit": "1"}))
    assert page.select_one("button[data-hold]") is not None
    assert page.select_one("#cart-link") is not None
    assert hold(client, owner.team_id, "+14155550100").status_code == 200
    cart = soup(client.get(cart_url(owner.team_id)))
    assert [r["data-number"] for r in cart.select("#cart-items tbody tr")] == ["+14155550100"]
    assert cart.select_one("#buy-cart") is not None  # and may buy it


def test_without_javascript_hold_redirects_back_to_the_search(client, owner):
    response = hold(client, owner.team_id, "+14155550100", htmx=False)
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/search?country=US&area_code=415")


def test_a_number_another_team_holds_cannot_be_held_and_the_cell_says_so(
    app, client, owner, factory
):
    hold_directly(app, factory.member("growth"), "+14155550100")
    response = hold(client, owner.team_id, "+14155550100")
    assert response.status_code == 409
    cell = soup(response).select_one("td#hold-cell-14155550100")
    assert "held by another team" in text(cell)
    assert cell.select_one("a[hx-target='#search-results']")  # a fresh search, one click away


def test_hold_longer_starts_the_thirty_minutes_again(app, client, owner):
    hold(client, owner.team_id, "+14155550100")
    with app.app_context():
        item = db.session.scalars(db.select(CartItem)).one()
        item.expires_at = utcnow() + timedelta(minutes=2)
        db.session.commit()
    page = soup(client.get(cart_url(owner.team_id)))
    assert "ends in 2 min" in text(page.select_one("#hold-14155550100 .countdown"))
    form = page.select_one("#hold-14155550100 form[action$='/extend']")
    response = client.post(form["action"], data={"csrf_token": form.select_one("input")["value"]})
    assert response.status_code == 303
    page = soup(client.get(cart_url(owner.team_id)))
    assert "ends in 30 min" in text(page.select_one("#hold-14155550100 .countdown"))


def test_a_number_the_provider_will_not_hold_offers_buy_but_no_add_to_cart(client, owner):
    page = soup(client.get(search_url(owner.team_id) + "?country=US&area_code=415"))
    unheld = page.select_one("tr#offer-14155550109")
    assert unheld.select_one("button[data-hold]") is None
    assert text(unheld.select_one("[data-role=not-reservable]")) == "Can't be held: buy it now"
    assert unheld.select_one("td.offer-action form button") is not None
    assert page.select_one("tr#offer-14155550108 button[data-hold]") is not None
    refused = hold(client, owner.team_id, "+14155550109")  # a hand-made POST all the same
    assert refused.status_code == 409
    assert soup(refused).select_one("td#hold-cell-14155550109")["data-outcome"] == "hold-failed"


def test_the_cart_states_the_hold_length_it_is_given(client, owner, monkeypatch):
    # Read from HOLD_LENGTH (the provider's hold), never typed beside it.
    monkeypatch.setattr("app.dashboard.HOLD_LENGTH", timedelta(minutes=45))
    empty = soup(client.get(cart_url(owner.team_id))).select_one("#cart-empty")
    assert "held for your team for 45 minutes while you decide" in text(empty)
