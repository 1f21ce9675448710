"""The number page's campaign link, caller-name card and Replace, the campaign page's one
name for all its numbers, and the cart's one confirmation for a replacement: as forms
without JavaScript, the card with htmx too, and refusals shown beside their field."""

from __future__ import annotations

import sqlalchemy as sa

from app.campaigns import pool
from app.extensions import db
from app.models import CallerName, Campaign, NumberReplacement, PhoneNumber
from tests.caller_names.helpers import toll_free_number
from tests.campaigns.helpers import make_campaign
from tests.factories import actor_of
from tests.helpers import sandbox_number
from tests.pages.helpers import form_post, post, soup, text

OLD = sandbox_number("415", 1)
NEW = sandbox_number("415", 0)


def page_of(team_id, number_id):
    return f"/teams/{team_id}/numbers/{number_id}"


def test_the_number_page_links_its_campaign_and_sets_a_caller_name(app, client, factory, growth):
    campaign_id, (number_id,) = make_campaign(app, factory, growth, [OLD], name="Spring")
    page = soup(client.get(page_of(growth.team_id, number_id)))
    link = page.select_one("#number-campaign a")
    assert (text(link), link["href"]) == (
        "Spring",
        f"/teams/{growth.team_id}/campaigns/{campaign_id}",
    )
    assert text(page.select_one("#caller-name-line")) == "Not set"

    url = page_of(growth.team_id, number_id) + "/caller-name"
    sent = form_post(
        client, url, {"caller_name": "ACME SUPPORT"}, page=page_of(growth.team_id, number_id)
    )
    assert sent.status_code == 303
    after = soup(client.get(sent.headers["Location"]))
    assert text(after.select_one("#caller-name-line")) == "Submitted: ACME SUPPORT"
    history = [text(li) for li in after.select("#number-history li")]
    assert any("Set the caller name of (415) 555-0101 (— → ACME SUPPORT)" in h for h in history)
    assert after.select_one("#caller-name-input")["value"] == "ACME SUPPORT"


def test_a_bad_caller_name_is_shown_beside_the_field(app, client, factory, growth):
    number_id = factory.number(growth, OLD)
    url = page_of(growth.team_id, number_id) + "/caller-name"
    plain = form_post(
        client, url, {"caller_name": "1-800 ACME"}, page=page_of(growth.team_id, number_id)
    )
    assert plain.status_code == 400
    page = soup(plain)
    assert text(page.select_one("#caller-name-error")) == (
        "Use letters, digits, spaces, periods and commas only, starting with a letter."
    )
    assert page.select_one("#caller-name-input")["value"] == "1-800 ACME"
    assert page.select_one("#number-title") is not None  # the whole page, without JavaScript

    swapped = post(client, url, {"caller_name": "ACME SUPPORT TEAM"})
    assert swapped.status_code == 400
    card = soup(swapped)
    assert card.select_one("#number-title") is None  # only the card, for htmx
    assert text(card.select_one("#caller-name-error")).startswith("A caller name has at most 15")
    good = soup(post(client, url, {"caller_name": "ACME"}))
    assert text(good.select_one("#caller-name-line")) == "Submitted: ACME"
    assert text(good.select_one("#caller-name-notice")).startswith("Caller name sent for")


def test_a_toll_free_number_offers_no_caller_name_form(app, client, factory, growth):
    number_id = toll_free_number(app, factory, growth)
    page = soup(client.get(page_of(growth.team_id, number_id)))
    assert text(page.select_one("#caller-name-line")) == (
        "No caller name listing for toll-free numbers"
    )
    assert page.select_one("#caller-name-form") is None


def test_one_name_for_a_campaign_from_its_page(app, client, factory, growth):
    campaign_id, ids = make_campaign(app, factory, growth, [OLD, sandbox_number("212", 1)])
    free = toll_free_number(app, factory, growth)
    with app.app_context():
        pool.add_numbers(actor_of(growth), db.session.get(Campaign, campaign_id), [free])
    here = f"/teams/{growth.team_id}/campaigns/{campaign_id}"
    refused = form_post(client, here + "/caller-name", {"caller_name": ""}, page=here)
    assert refused.status_code == 400
    assert text(soup(refused).select_one("#campaign-caller-name-error")) == (
        "Enter a caller name (up to 15 characters)."
    )
    sent = form_post(client, here + "/caller-name", {"caller_name": "ACME"}, page=here)
    assert sent.status_code == 303
    flashes = [text(f) for f in soup(client.get(sent.headers["Location"])).select(".flash")]
    assert "Caller name ACME sent for 2 numbers." in flashes
    assert "Skipped toll-free numbers (no caller name listing): (800) 555-0100." in flashes
    with app.app_context():
        named = set(db.session.scalars(sa.select(CallerName.phone_number_id)))
    assert named == set(ids)
    rows = soup(client.get(here)).select("#pool-table tbody tr")
    assert {r["data-number"]: text(r.select_one("[data-role=caller-name]")) for r in rows} == {
        "+12125550101": "Submitted: ACME",
        "+14155550101": "Submitted: ACME",
        "+18005550100": "No caller name listing for toll-free numbers",
    }


def test_replace_from_the_number_page_and_buy_it_in_the_cart(app, client, factory, growth):
    campaign_id, (old_id,) = make_campaign(app, factory, growth, [OLD], name="Spring")
    ava = factory.assistant(growth, "Ava", numbers=[old_id])
    here = page_of(growth.team_id, old_id)
    asked = form_post(client, here + "/replace", {}, page=here)
    assert asked.status_code == 303
    assert asked.headers["Location"] == f"/teams/{growth.team_id}/cart"
    cart = soup(client.get(asked.headers["Location"]))
    note = cart.select_one(f"tr[data-number='{NEW}'] [data-role=replaces]")
    assert text(note) == (
        "Replaces (415) 555-0101: on purchase it takes its campaign Spring, its assistant Ava "
        "and its routing, and (415) 555-0101 is released (Undo for 60 minutes)."
    )
    waiting = soup(client.get(here))
    assert text(waiting.select_one("#replace-waiting")).startswith(
        "(415) 555-0100 is in the cart as its replacement."
    )

    key = cart.select_one("input[name=idempotency_key]")["value"]
    bought = form_post(
        client,
        f"/teams/{growth.team_id}/cart/buy",
        {"phone_number": NEW, "idempotency_key": key},
        page=f"/teams/{growth.team_id}/cart",
    )
    assert bought.status_code == 303, bought.get_data(as_text=True)[:500]
    order = soup(client.get(bought.headers["Location"]))
    assert f"It replaces {OLD} (campaign Spring, assistant Ava, routing)" in text(order)
    history = [text(li) for li in soup(client.get(here)).select("#number-history li")]
    assert any(
        "Replaced (415) 555-0101 by (415) 555-0100 (campaign Spring, assistant Ava, routing)"
        in line
        for line in history
    ), history
    assert any("Put (415) 555-0100 in the cart to replace (415) 555-0101" in h for h in history)
    with app.app_context():
        new = db.session.scalar(sa.select(PhoneNumber).where(PhoneNumber.phone_number == NEW))
        old = db.session.get(PhoneNumber, old_id)
        assert (new.assistant_id, old.status, old.status_reason) == (ava, "releasing", "scheduled")
        assert db.session.scalar(sa.select(NumberReplacement.status)) == "done"


def test_another_teams_number_cannot_be_replaced_or_named(app, client, factory, growth):
    stranger = factory.member("growth")
    theirs = factory.number(stranger, OLD)
    mine = factory.number(growth, sandbox_number("212", 1))
    url = page_of(growth.team_id, theirs)
    token_page = page_of(growth.team_id, mine)
    assert form_post(client, url + "/replace", {}, page=token_page).status_code == 404
    named = form_post(client, url + "/caller-name", {"caller_name": "ACME"}, page=token_page)
    assert named.status_code == 404
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(NumberReplacement)) == 0
        assert db.session.scalar(sa.select(sa.func.count()).select_from(CallerName)) == 0
