"""End to end in real Chromium against a real server: sign up, search, buy, see, be refused."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.e2e.helpers import emailed_link, sign_in
from tests.helpers import TRIAL_DAYS


def search_415(page: Page) -> None:
    page.get_by_role("link", name="Find a number").first.click()
    expect(page.get_by_label("Country")).to_have_value("US")
    page.get_by_label("Area code").fill("415")
    page.get_by_label("Results").fill("5")
    page.evaluate("window.__sameDocument = true")  # gone if the page reloads
    page.get_by_role("button", name="Search").click()
    expect(page.locator("#offers tbody tr")).to_have_count(5)
    assert page.evaluate("window.__sameDocument") is True
    assert re.search(r"[?&]area_code=415", page.url)


def buy_cell(page: Page, row: int):
    return page.locator("#offers tbody tr").nth(row).locator("td.offer-action")


def test_sign_up_search_buy_see_the_trial_then_be_refused(server, mailbox, page: Page, context):
    base = server.url
    page.goto(f"{base}/")
    page.get_by_role("link", name="Create a team").click()
    page.get_by_label("Your name").fill("Grace Hopper")
    page.get_by_label("Work email").fill("grace@example.com")
    page.get_by_label("Password").fill("compilers rock")
    page.get_by_label("Team name").fill("Navy Labs")
    page.get_by_role("button", name="Create team").click()
    expect(page.get_by_role("heading", name="Check your email")).to_be_visible()
    page.goto(emailed_link(mailbox, "grace@example.com", "Confirm your email address"))
    page.get_by_role("button", name="Confirm and open my team").click()
    expect(page.locator("#plan-headline")).to_have_text(f"Trial: 1 number for {TRIAL_DAYS} days")
    expect(page.locator("#numbers-empty")).to_be_visible()

    search_415(page)
    # A second tab on the same shared link shows the same search, still offering Buy.
    stale = context.new_page()
    stale.goto(page.url)
    expect(stale.locator("#offers tbody tr")).to_have_count(5)

    first = page.locator("#offers tbody tr").first.get_attribute("data-number")
    buy_cell(page, 0).get_by_role("button").click()
    expect(buy_cell(page, 0)).to_contain_text("Purchased ✓")
    assert page.evaluate("window.__sameDocument") is True
    # The plan is full: every other Buy button disabled itself, saying why.
    expect(page.locator("#offers-notice")).to_contain_text("used its free trial")
    expect(buy_cell(page, 1).get_by_role("button")).to_be_disabled()

    # The stale tab still has live buttons; the server refuses, inline.
    buy_cell(stale, 1).get_by_role("button").click()
    expect(buy_cell(stale, 1)).to_contain_text(
        "This team has used its free trial number. Subscribe to a plan to buy numbers."
    )
    expect(buy_cell(stale, 2).get_by_role("button")).to_be_disabled()

    buy_cell(page, 0).get_by_role("link", name="view").click()
    row = page.locator(f"#numbers-table tr[data-number='{first}']")
    expect(row.locator("[data-status]")).to_have_text("Active")
    expect(row.locator("[data-role=trial-countdown]")).to_have_text(f"expires in {TRIAL_DAYS} days")
    expect(page.locator("#numbers-table tbody tr")).to_have_count(1)


def test_a_growth_team_buys_two_in_a_row_and_the_banner_counts(server, people, page: Page):
    owner = people.member("growth")
    sign_in(page, server.url, owner.email)
    expect(page.locator("#plan-headline")).to_have_text("0 of 10 numbers · Growth")
    search_415(page)
    buy_cell(page, 0).get_by_role("button").dblclick()  # a double click buys once
    expect(buy_cell(page, 0)).to_contain_text("Purchased ✓")
    expect(page.locator("#plan-headline")).to_have_text("1 of 10 numbers · Growth")
    buy_cell(page, 1).get_by_role("button").click()
    expect(buy_cell(page, 1)).to_contain_text("Purchased ✓")
    expect(page.locator("#plan-headline")).to_have_text("2 of 10 numbers · Growth")
    expect(buy_cell(page, 2).get_by_role("button")).to_be_enabled()
    assert page.evaluate("window.__sameDocument") is True


def test_the_area_code_field_follows_the_country(server, people, page: Page):
    owner = people.member("starter")
    sign_in(page, server.url, owner.email)
    page.get_by_role("link", name="Find a number").first.click()
    expect(page.get_by_label("Area code")).to_be_visible()
    page.get_by_label("Country").select_option("GB")
    expect(page.locator("#area_code")).to_have_count(0)
    page.get_by_role("button", name="Search").click()
    expect(page.locator("#offers tbody tr").first).to_have_attribute(
        "data-number", re.compile(r"^\+44")
    )
    page.get_by_label("Country").select_option("CA")
    expect(page.get_by_label("Area code")).to_be_visible()


def test_without_javascript_search_and_buy_still_work(server, people, browser):
    owner = people.member("starter")
    context = browser.new_context(java_script_enabled=False, locale="en-US")
    try:
        page = context.new_page()
        sign_in(page, server.url, owner.email)
        search_url = f"{server.url}/teams/{owner.team_id}/search"
        page.goto(f"{search_url}?country=US&area_code=212&number_type=local&limit=3")
        expect(page.locator("#offers tbody tr")).to_have_count(3)
        number = page.locator("#offers tbody tr").first.get_attribute("data-number")
        buy_cell(page, 0).get_by_role("button").click()  # a plain POST, then a redirect
        expect(page.locator("#flashes")).to_contain_text(f"Bought {number}")
        expect(page.locator(f"#numbers-table tr[data-number='{number}']")).to_have_count(1)
        expect(page.locator("#plan-headline")).to_have_text("1 of 3 numbers · Starter")
    finally:
        context.close()
