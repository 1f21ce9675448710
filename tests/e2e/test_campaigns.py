"""The campaign journey in Chromium: a pool of 20 numbers, coverage for a CSV of 200
destinations, Fill gaps into the cart, buy them, and the pool covers every area code."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.e2e.helpers import sign_in
from tests.helpers import sandbox_number

POOL_AREAS = ["415", "212", "213", "305", "404", "702", "214", "713", "602", "801"]
MISSING = ["303", "312", "617", "206", "512"]


def test_pool_coverage_fill_gaps_and_buy(server, people, page: Page, tmp_path):
    owner = people.member("scale")
    for area in POOL_AREAS:
        for index in range(2):
            people.number(owner, sandbox_number(area, index))
    sign_in(page, server.url, owner.email)

    page.get_by_role("link", name="Campaigns").first.click()
    page.get_by_label("Name").fill("Spring outreach")
    page.get_by_role("button", name="Create campaign").click()
    expect(page.get_by_role("heading", name="Spring outreach")).to_be_visible()
    boxes = page.locator("#pool-add input[name=ids]")
    expect(boxes).to_have_count(20)
    for index in range(20):
        boxes.nth(index).check()
    page.get_by_role("button", name="Add to pool").click()
    expect(page.locator("#pool-table tbody tr")).to_have_count(20)

    # 200 destinations: 150 in the pool's area codes, 50 in five it lacks.
    rows = ["number"]
    rows += [f"+1{POOL_AREAS[i % 10]}555{1000 + i:04d}" for i in range(150)]
    rows += [f"+1{MISSING[i % 5]}555{2000 + i:04d}" for i in range(50)]
    csv = tmp_path / "destinations.csv"
    csv.write_text("\n".join(rows) + "\n")
    page.get_by_label("CSV file").set_input_files(str(csv))
    page.get_by_role("button", name="Count coverage").click()
    expect(page.locator("#coverage-share")).to_contain_text("75% of 200 destinations")
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
