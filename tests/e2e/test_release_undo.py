"""In Chromium: a release with a grace window keeps the row, saying when (in the viewer's own
time) with Undo; Undo brings the number back as it was, with htmx and without JavaScript."""

from __future__ import annotations

import re
from zoneinfo import ZoneInfo

from playwright.sync_api import Page, expect

from app.assistants import service as assistants
from app.extensions import db
from app.models import PhoneNumber
from app.numbers.managing import set_label
from app.numbers.purchasing import purchase_number
from tests.e2e.helpers import sign_in
from tests.factories import actor_of

SCREENSHOT = "/tmp/release-grace-row.png"
VIEWER = ZoneInfo("America/Los_Angeles")  # the browser context's zone (tests/e2e/conftest.py)


def due_of(server, e164: str):
    with server.app.app_context():
        return db.session.scalar(
            db.select(PhoneNumber.release_after).where(PhoneNumber.phone_number == e164)
        )


def test_a_row_releasing_shows_when_in_local_time_and_undo_restores_it(server, people, page: Page):
    owner = people.member("growth")
    with server.app.app_context():
        actor = actor_of(owner)
        kept = purchase_number(actor, "+14155550171").number
        purchase_number(actor, "+14155550172")
        sales = assistants.create_assistant(actor, "Sales Agent")
        assistants.assign_numbers(actor, sales, [kept.id])
        set_label(actor, kept, "Front desk")
    sign_in(page, server.url, owner.email)
    expect(page.locator("#plan-headline")).to_have_text("2 of 10 numbers · Growth")
    page.evaluate("window.__sameDocument = true")  # gone if the page reloads
    row = page.locator("#numbers-table tr[data-number='+14155550171']")
    row.locator("summary", has_text="Release").click()
    expect(row.locator(".hint")).to_contain_text("Undo brings it back as it is")
    row.get_by_role("button", name="Release number").click()

    note = row.locator("[data-role=release-at]")
    expect(note).to_contain_text("Releasing at")
    local = due_of(server, "+14155550171").astimezone(VIEWER)
    hour_minute = f"{local.hour % 12 or 12}:{local.minute:02d}"
    expect(note).to_have_text(
        re.compile(rf"^Releasing at (\w+ \d+, \d+, )?{hour_minute}\s[AP]M; it answers calls")
    )
    expect(row.locator("[data-status]")).to_have_text("Releasing")
    expect(row.locator("[data-role=assistant-name]")).to_have_text("Sales Agent")
    expect(page.locator("#plan-headline")).to_have_text("1 of 10 numbers · Growth")
    notice = page.locator("#numbers-notice [data-role=scheduled]")
    # The date shows too when the moment is not today in the viewer's zone (near midnight there).
    expect(notice).to_contain_text(
        re.compile(rf"\(415\) 555-0171 releases at (\w+ \d+, \d+, )?{hour_minute}\s[AP]M")
    )
    expect(notice).not_to_contain_text("UTC")
    page.screenshot(path=SCREENSHOT, full_page=True, caret="initial")  # no injected style: CSP

    notice.get_by_role("button", name="Undo the release of (415) 555-0171").click()
    expect(page.locator("#numbers-notice")).to_have_text(
        "(415) 555-0171 is back, answered by Sales Agent, as before its release."
    )
    expect(row.locator("[data-status]")).to_have_text("Active")
    expect(row.locator("[data-role=assistant-name]")).to_have_text("Sales Agent")
    expect(row.locator("[data-role=label]")).to_have_text("Front desk")
    expect(page.locator("#plan-headline")).to_have_text("2 of 10 numbers · Growth")
    assert page.evaluate("window.__sameDocument") is True
    page.get_by_role("link", name="History").click()
    expect(page.locator("#history-table tbody tr").first).to_contain_text(
        "Undid the release of (415) 555-0171"
    )


def test_release_and_undo_without_javascript(server, people, browser):
    owner = people.member("growth")
    with server.app.app_context():
        purchase_number(actor_of(owner), "+14155550181")
    context = browser.new_context(java_script_enabled=False, locale="en-US")
    try:
        page = context.new_page()
        sign_in(page, server.url, owner.email)
        row = page.locator("#numbers-table tr[data-number='+14155550181']")
        row.locator("summary", has_text="Release").click()
        row.get_by_role("link", name="Review the release of (415) 555-0181").click()
        page.get_by_role("button", name="Release number").click()
        notice = page.locator("#flashes [data-role=scheduled]")
        expect(notice).to_be_visible()
        due = due_of(server, "+14155550181")
        expect(notice).to_contain_text(f"(415) 555-0181 releases at {due:%H:%M} UTC")
        expect(row.locator("[data-role=undo-release]")).to_be_visible()
        notice.get_by_role("button", name="Undo the release of (415) 555-0181").click()
        expect(page.locator("#flashes .flash-success")).to_have_text(
            "(415) 555-0181 is back, unassigned, as before its release."
        )
        expect(row.locator("[data-status]")).to_have_text("Active")
    finally:
        context.close()
