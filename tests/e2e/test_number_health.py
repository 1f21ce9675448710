"""Caller names and Replace in Chromium, on a campaign's pool: 20 numbers, coverage for a
CSV of 200 destinations, Fill gaps -> cart -> buy; one caller name for the whole pool; then a
number replaced in one confirmation (the cart's Buy), its campaign, assistant and routing
moving to the new number, the old one releasing with Undo."""

from __future__ import annotations

import re

import sqlalchemy as sa
from playwright.sync_api import Page, expect

from app.extensions import db
from app.models import PhoneNumber
from tests.e2e.helpers import (
    POOL_AREAS,
    count_coverage_of_200,
    create_campaign_with_pool,
    sign_in,
)
from tests.helpers import sandbox_number

OLD = sandbox_number("415", 1)
NEW = sandbox_number("415", 2)  # 0 and 1 are the pool's


def test_caller_name_for_the_pool_and_a_number_replaced_in_one_confirmation(
    server, people, page: Page, tmp_path
):
    owner = people.member("scale")
    ids = {}
    for area in POOL_AREAS:
        for index in range(2):
            number = sandbox_number(area, index)
            ids[number] = people.number(owner, number)
    people.assistant(owner, "Ava", numbers=[ids[OLD]])
    sign_in(page, server.url, owner.email)

    page.goto(f"{server.url}/teams/{owner.team_id}/campaigns")
    create_campaign_with_pool(page, "Spring outreach", 20)

    count_coverage_of_200(page, tmp_path)
    page.get_by_role("button", name="Fill gaps").click()
    expect(page.locator(".flash-success")).to_contain_text("Put 5 in the cart")
    page.goto(f"{server.url}/teams/{owner.team_id}/cart")
    page.locator("#buy-cart").click()
    expect(page).to_have_url(re.compile(r"/orders/"))
    expect(page.locator("body")).to_contain_text("5 of 5 bought")

    # One caller name for the whole pool.
    page.goto(f"{server.url}/teams/{owner.team_id}/campaigns")
    page.get_by_role("link", name="Spring outreach").click()
    page.get_by_label("One name for all its numbers").fill("ACME SUPPORT")
    page.get_by_role("button", name="Apply to all numbers").click()
    expect(page.locator(".flash-success").first).to_contain_text(
        "Caller name ACME SUPPORT sent for 20 numbers."
    )

    # The number's page: its campaign, its caller name, and Replace.
    page.goto(f"{server.url}/teams/{owner.team_id}/numbers/{ids[OLD]}")
    expect(page.locator("#number-campaign")).to_have_text("Spring outreach")
    expect(page.locator("#caller-name-line")).to_have_text("Submitted: ACME SUPPORT")
    page.get_by_role("button", name="Replace", exact=True).click()
    expect(page).to_have_url(re.compile(r"/cart$"))
    note = page.locator(f"tr[data-number='{NEW}'] [data-role=replaces]")
    expect(note).to_contain_text(
        "Replaces (415) 555-0101: on purchase it takes its campaign Spring outreach, "
        "its assistant Ava and its routing"
    )
    page.locator("#buy-cart").click()  # the one confirmation
    expect(page).to_have_url(re.compile(r"/orders/"))
    expect(page.locator("body")).to_contain_text(
        f"It replaces {OLD} (campaign Spring outreach, assistant Ava, routing)"
    )

    with server.app.app_context():
        new_id = db.session.scalar(
            sa.select(PhoneNumber.id).where(
                PhoneNumber.phone_number == NEW, PhoneNumber.team_id == owner.team_id
            )
        )
    page.goto(f"{server.url}/teams/{owner.team_id}/numbers/{new_id}")
    expect(page.locator("#number-campaign")).to_have_text("Spring outreach")
    expect(page.locator("#number-assistant")).to_have_text("Ava")
    page.goto(f"{server.url}/teams/{owner.team_id}/numbers")
    old_row = page.locator(f"tr[data-number='{OLD}'], tr:has-text('(415) 555-0101')").first
    expect(old_row).to_contain_text("Releasing")
    expect(old_row.get_by_role("button", name=re.compile("Undo"))).to_be_visible()


def test_the_caller_name_and_replace_cards_have_no_accessibility_violations(
    server, people, context, page: Page
):
    """axe on the number page (caller-name card: empty, with a field error, propagating; the
    Replace card), the campaign page's caller-name form, and the cart with a replacement."""
    from tests.e2e.axe import assert_no_violations, with_axe

    with_axe(context)
    owner = people.member("scale")
    number_id = people.number(owner, sandbox_number("212", 7))
    sign_in(page, server.url, owner.email)
    url = f"{server.url}/teams/{owner.team_id}/numbers/{number_id}"
    page.goto(url)
    assert_no_violations(page, "number page, no caller name")
    page.get_by_label("Name the people called see").fill("1-800 ACME")
    page.get_by_role("button", name="Set caller name").click()
    expect(page.locator("#caller-name-error")).to_contain_text("starting with a letter")
    assert_no_violations(page, "number page, caller name refused")
    page.get_by_label("Name the people called see").fill("ACME SUPPORT")
    page.get_by_role("button", name="Set caller name").click()
    expect(page.locator("#caller-name-line")).to_have_text("Submitted: ACME SUPPORT")
    assert_no_violations(page, "number page, caller name submitted")

    page.get_by_role("button", name="Replace", exact=True).click()
    expect(page.locator("[data-role=replaces]")).to_be_visible()
    assert_no_violations(page, "cart with a replacement")
    page.goto(url)
    expect(page.locator("#replace-waiting")).to_be_visible()
    assert_no_violations(page, "number page, replacement waiting")

    page.goto(f"{server.url}/teams/{owner.team_id}/campaigns")
    page.get_by_label("Name").fill("Autumn")
    page.get_by_role("button", name="Create campaign").click()
    page.get_by_role("button", name="Apply to all numbers").click()
    expect(page.locator("#campaign-caller-name-error")).to_be_visible()
    assert_no_violations(page, "campaign page, caller name refused")
