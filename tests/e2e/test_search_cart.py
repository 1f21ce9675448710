"""In Chromium: a vanity search that finds a word, a city search, and a cart of three numbers
held, reviewed and bought at once."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.e2e.helpers import sign_in


def open_search(page: Page) -> None:
    page.get_by_role("link", name="Find a number").first.click()
    expect(page.get_by_label("Country")).to_have_value("US")
    page.evaluate("window.__sameDocument = true")  # gone if the page reloads


def test_a_vanity_search_finds_the_word_and_highlights_it(server, people, page: Page):
    owner = people.member("growth")
    sign_in(page, server.url, owner.email)
    open_search(page)
    page.get_by_label("Area code").fill("415")
    page.locator("#more-filters summary").click()
    page.get_by_label("Digits or word").fill("AI")
    page.get_by_label("Where in the number").select_option("ends")
    page.get_by_role("button", name="Search").click()
    rows = page.locator("#offers tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first.locator(".number-national mark")).to_have_text("24")  # A=2, I=4
    expect(page.locator("#search-status")).to_have_text("1 number available.")
    assert page.evaluate("window.__sameDocument") is True
    assert "pattern=AI" in page.url and "match=ends" in page.url


def test_a_city_search_shows_the_city_and_marks_old_results_stale(server, people, page: Page):
    owner = people.member("growth")
    sign_in(page, server.url, owner.email)
    open_search(page)
    page.get_by_label("Results").fill("5")
    page.get_by_role("button", name="Search").click()
    expect(page.locator("#offers tbody tr")).to_have_count(5)

    # Hold the next request back until the old results have been looked at: no timing window.
    held = []

    def hold_back(route):
        held.append(route)

    page.route(re.compile(r".*/search\?.*locality=Chicago.*"), hold_back)
    page.locator("#more-filters summary").click()
    page.get_by_label("City").fill("Chicago")
    page.get_by_role("button", name="Search").click()
    results = page.locator("#search-results")
    expect(results).to_have_class(re.compile(r"\bhtmx-request\b"))
    page.wait_for_function("document.getElementById('search-results').inert === true")
    expect(page.locator("#offers tbody tr")).to_have_count(5)  # the old results, still shown
    assert len(held) == 1
    held[0].continue_()
    expect(page.locator("#offers tbody tr td.offer-place").first).to_have_text("Chicago, IL")
    expect(page.locator("td.offer-place")).to_have_text(["Chicago, IL"] * 5)
    expect(results).not_to_have_class(re.compile(r"\bhtmx-request\b"))
    expect(page.locator("#search-status")).to_have_text("5 shown of 100 available.")


def test_focus_goes_to_the_outcome_after_buy(server, people, page: Page):
    owner = people.member("growth")
    sign_in(page, server.url, owner.email)
    open_search(page)
    page.get_by_label("Area code").fill("212")
    page.get_by_label("Results").fill("2")
    page.get_by_role("button", name="Search").click()
    page.locator("#offers tbody tr").first.locator("button[data-buy]").click()
    outcome = page.locator("#offers tbody tr").first.locator(".outcome-line")
    expect(outcome).to_contain_text("Purchased ✓")
    expect(outcome).to_be_focused()


def test_a_cart_of_three_held_reviewed_and_bought_at_once(server, people, page: Page):
    owner = people.member("starter")
    sign_in(page, server.url, owner.email)
    open_search(page)
    page.get_by_label("Area code").fill("213")
    page.get_by_label("Results").fill("4")
    page.get_by_role("button", name="Search").click()
    rows = page.locator("#offers tbody tr")
    expect(rows).to_have_count(4)
    wanted = [rows.nth(i).get_attribute("data-number") for i in range(3)]
    for i in range(3):
        rows.nth(i).locator("button[data-hold]").click()
        expect(rows.nth(i).locator("td.offer-hold")).to_contain_text("In your cart ✓")
    expect(page.locator("#cart-link [data-cart-count]")).to_have_attribute("data-cart-count", "3")
    assert page.evaluate("window.__sameDocument") is True

    page.locator("#cart-link").click()
    held = page.locator("#cart-items tbody tr")
    expect(held).to_have_count(3)
    assert [held.nth(i).get_attribute("data-number") for i in range(3)] == wanted
    expect(held.first.locator("td[data-label=Where]")).to_have_text("Los Angeles, CA")
    expect(held.first.locator(".countdown")).to_have_text(re.compile(r"ends in (29|30) min"))
    expect(page.locator("#due-now")).to_have_text("$6.00")
    expect(page.locator("#per-month")).to_have_text("$3.00")
    expect(page.locator("#cart-room")).to_have_text("Your Starter plan allows 3 more numbers.")

    page.get_by_role("button", name=re.compile(r"^Buy 3 numbers")).click()
    expect(page.locator("#order-title")).to_have_text("3 of 3 bought")
    expect(page.locator("#order-results tbody tr[data-status=bought]")).to_have_count(3)
    page.get_by_role("link", name="Numbers").first.click()
    for number in wanted:
        expect(page.locator(f"#numbers-table tr[data-number='{number}']")).to_have_count(1)


def test_without_javascript_filters_hold_and_buy_the_cart(server, people, browser):
    owner = people.member("growth")
    context = browser.new_context(java_script_enabled=False, locale="en-US")
    try:
        page = context.new_page()
        sign_in(page, server.url, owner.email)
        page.goto(f"{server.url}/teams/{owner.team_id}/search")
        page.locator("#more-filters summary").click()  # <details> opens without script
        page.get_by_label("City").fill("Seattle")
        page.get_by_role("button", name="Search").click()  # a plain GET
        expect(page.locator("#search-none")).to_contain_text('the city "Seattle"')
        page.get_by_label("City").fill("")
        page.get_by_label("State or region").fill("TX")
        page.get_by_role("button", name="Search").click()
        rows = page.locator("#offers tbody tr")
        expect(rows.first.locator("td.offer-place")).to_have_text("Texas")
        number = rows.first.get_attribute("data-number")
        rows.first.locator("button[data-hold]").click()  # POST, then back to the search
        expect(page.locator("#flashes")).to_contain_text(f"{number} is in your cart")
        page.locator("#cart-link").click()
        expect(page.locator("#cart-items tbody tr")).to_have_count(1)
        page.get_by_role("button", name=re.compile(r"^Buy 1 number")).click()
        expect(page.locator("#order-title")).to_have_text("1 of 1 bought")
    finally:
        context.close()
