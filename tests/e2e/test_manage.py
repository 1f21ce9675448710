"""End to end in Chromium: create an assistant, pick it for a number in place, release a number."""

from __future__ import annotations

import sqlalchemy as sa
from playwright.sync_api import Page, expect

from app.extensions import db
from app.models import PhoneNumber
from app.numbers.purchasing import purchase_number
from tests.e2e.helpers import sign_in
from tests.factories import actor_of


def test_assign_in_place_then_release_through_the_confirmation(
    server, people, page: Page, monkeypatch
):
    # Released at once, so the row goes (test_release_undo.py: a release with its window).
    monkeypatch.setitem(server.app.config, "RELEASE_GRACE_MINUTES", 0)
    owner = people.member("growth")
    with server.app.app_context():
        for e164 in ("+14155550141", "+14155550142"):
            purchase_number(actor_of(owner), e164)
    sign_in(page, server.url, owner.email)
    expect(page.locator("#plan-headline")).to_have_text("2 of 10 numbers · Growth")

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Assistants").click()
    expect(page.locator("#assistants-empty")).to_be_visible()
    page.get_by_label("Name").fill("Sales Agent")
    page.get_by_role("button", name="Create assistant").click()
    expect(page.locator("#assistants-table tbody tr")).to_have_count(1)
    expect(page.locator("#assistants-table [data-role=number-count]")).to_have_text("0 numbers")

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Numbers").click()
    row = page.locator("#numbers-table tr[data-number='+14155550141']")
    page.evaluate("window.__sameDocument = true")  # gone if the page reloads
    row.get_by_role("link", name="Assign the assistant answering on (415) 555-0141").click()
    picker = row.get_by_label("Assistant answering on (415) 555-0141")
    expect(picker).to_be_focused()
    picker.press("ArrowDown")  # browsing the options saves nothing
    picker.press("ArrowUp")
    picker.press("ArrowDown")
    expect(row.locator("[data-role=saved]")).to_have_count(0)
    with server.app.app_context():
        assert _assistant_of("+14155550141") is None
    row.get_by_role("button", name="Save").click()
    expect(row.locator("[data-role=saved]")).to_be_visible()
    expect(row.locator("[data-role=saved]")).to_have_text("Saved")
    expect(row.locator("[data-role=assistant-name]")).to_have_text("Sales Agent")
    expect(
        row.get_by_role("link", name="Change the assistant answering on (415) 555-0141")
    ).to_be_focused()
    expect(page.locator("#live-status")).to_have_text("Sales Agent now answers on (415) 555-0141.")
    assert page.evaluate("window.__sameDocument") is True

    row.locator("summary", has_text="Release").click()
    expect(row.locator(".confirm-question")).to_have_text(
        "Release (415) 555-0141? Sales Agent will stop answering on it."
    )
    row.get_by_role("button", name="Release number").click()
    expect(page.locator("#numbers-table tr[data-number='+14155550141']")).to_have_count(0)
    expect(page.locator("#numbers-notice [data-role=released]")).to_be_visible()
    expect(page.locator("#numbers-notice")).to_have_text("Released (415) 555-0141.")
    expect(page.locator("#plan-headline")).to_have_text("1 of 10 numbers · Growth")
    expect(page.locator("#numbers-table tbody tr")).to_have_count(1)
    assert page.evaluate("window.__sameDocument") is True

    page.reload()
    expect(page.locator("#numbers-table tbody tr")).to_have_count(1)
    page.get_by_role("link", name="History").click()
    expect(page.locator("#history-table tbody tr").first).to_contain_text("Released (415) 555-0141")


def test_rename_and_label_inline_then_delete(server, people, page: Page):
    owner = people.member("starter")
    with server.app.app_context():
        purchase_number(actor_of(owner), "+14155550151")
    sign_in(page, server.url, owner.email)
    page.evaluate("window.__sameDocument = true")
    row = page.locator("#numbers-table tr[data-number='+14155550151']")
    row.get_by_role("link", name="Add label for (415) 555-0151").click()
    field = row.get_by_label("Label for (415) 555-0151")
    expect(field).to_be_focused()
    field.fill("Front desk")
    field.press("Enter")
    expect(row.locator("[data-role=label]")).to_have_text("Front desk")
    # Focus stays in the row (on the link that edits it again), not lost to <body>.
    expect(row.get_by_role("link", name="Edit label for (415) 555-0151")).to_be_focused()
    expect(row.locator("[data-role=saved]")).to_be_visible()
    assert page.evaluate("window.__sameDocument") is True

    page.get_by_role("link", name="Assistants").click()
    page.get_by_label("Name").fill("Support")
    page.get_by_label("Name").press("Enter")
    listed = page.locator("#assistants-table tbody tr").first
    page.evaluate("window.__sameDocument = true")
    listed.get_by_role("link", name="Rename Support").click()
    name = page.get_by_label("New name for Support")
    expect(name).to_be_focused()
    name.fill("Help Desk")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#assistants-table tbody tr").first).to_have_attribute(
        "data-assistant", "Help Desk"
    )
    page.locator("summary", has_text="Delete").click()
    expect(page.locator(".confirm-question")).to_have_text(
        "Delete Help Desk? It answers on no numbers."
    )
    page.get_by_role("button", name="Delete assistant").click()
    expect(page.locator("#assistants-empty")).to_be_visible()
    assert page.evaluate("window.__sameDocument") is True


def _assistant_of(e164: str) -> str | None:
    return db.session.scalar(
        sa.select(PhoneNumber.assistant_id).where(PhoneNumber.phone_number == e164)
    )
