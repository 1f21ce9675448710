"""The campaign journey in Chromium: a pool of 20 numbers, coverage for a CSV of 200
destinations, Fill gaps into the cart, buy them, and the pool covers every area code."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.e2e.helpers import (
    POOL_AREAS,
    count_coverage_of_200,
    create_campaign_with_pool,
    sign_in,
)
from tests.helpers import sandbox_number


def test_pool_coverage_fill_gaps_and_buy(server, people, page: Page, tmp_path):
    owner = people.member("scale")
    for area in POOL_AREAS:
        for index in range(2):
            people.number(owner, sandbox_number(area, index))
    sign_in(page, server.url, owner.email)

    page.get_by_role("link", name="Campaigns").first.click()
    create_campaign_with_pool(page, "Spring outreach", 20)

    count_coverage_of_200(page, tmp_path)
    expect(page.locator("#coverage-missing li")).to_have_count(5)

    page.get_by_role("button", name="Fill gaps").click()
    expect(page.locator(".flash-success")).to_contain_text("Put 5 in the cart")
    page.goto(f"{server.url}/teams/{owner.team_id}/cart")
    page.locator("#buy-cart").click()
    expect(page).to_have_url(re.compile(r"/orders/"))

    page.goto(f"{server.url}/teams/{owner.team_id}/campaigns")
    page.get_by_role("link", name="Spring outreach").click()
    bought = page.locator("#pool-add input[name=ids]")
    expect(bought).to_have_count(5)
    for index in range(5):
        bought.nth(index).check()
    page.get_by_role("button", name="Add to pool").click()
    expect(page.locator("#pool-table tbody tr")).to_have_count(25)
    expect(page.locator("#coverage-share")).to_contain_text("100% of 200 destinations")
    expect(page.locator("#coverage-complete")).to_be_visible()
