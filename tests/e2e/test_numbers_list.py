"""End to end in Chromium: a team with 60 numbers filters its list to one, then releases two
in bulk through one confirmation that lists them (each undoable until its window ends)."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.e2e.helpers import sign_in
from tests.factories import seed


def test_filter_sixty_numbers_to_one_then_release_two_in_bulk(server, people, page: Page):
    owner = people.member("scale")
    seed(server.app, owner, 60, area="303")  # every other one answered by Ava
    sign_in(page, server.url, owner.email)
    rows = page.locator("#numbers-table tbody tr")
    expect(rows).to_have_count(50)  # one page of rows
    expect(page.locator("#numbers-older")).to_be_visible()
    page.evaluate("window.__sameDocument = true")

    # Typing narrows the table in place (the table alone is refreshed) and the URL follows.
    page.get_by_label("Search").fill("555-0042")
    expect(rows).to_have_count(1)
    expect(rows.first).to_have_attribute("data-number", "+13035550042")
    expect(page.locator("#numbers-count")).to_have_text("1 number matches the filters")
    assert page.url.endswith("/numbers?q=555-0042")  # the URL says it, without empty fields
    assert page.evaluate("window.__sameDocument") is True

    # Filters combine: Ava's numbers, sorted by number.
    page.get_by_label("Search").fill("")
    page.get_by_label("Assistant", exact=True).select_option(label="Ava")
    expect(rows).to_have_count(30)
    page.get_by_role("link", name="Number: sort ascending").click()
    expect(rows.first).to_have_attribute("data-number", "+13035550001")
    expect(page.locator("th[aria-sort=ascending]")).to_contain_text("Number")

    # "Select every number on this page" ticks each row's box, and unticks them.
    everything = page.get_by_label("Select every number on this page")
    everything.check()
    expect(page.locator("[data-role=select-number]:checked")).to_have_count(30)
    everything.uncheck()
    expect(page.locator("[data-role=select-number]:checked")).to_have_count(0)

    # Select two rows, review, confirm.
    for number in ("+13035550001", "+13035550003"):
        page.get_by_label(f"Select ({number[2:5]}) {number[5:8]}-{number[8:]}").check()
    page.get_by_label("With the selected numbers").select_option("release")
    page.get_by_role("button", name="Review…").click()
    expect(page.get_by_role("heading", name="Release 2 numbers?")).to_be_visible()
    expect(page.locator("#selection-list tbody tr")).to_have_count(2)
    expect(page.locator("#selection-list")).to_contain_text("(303) 555-0001")
    expect(page.locator("#selection-list")).to_contain_text("(303) 555-0003")
    page.get_by_role("button", name="Release 2 numbers").click()

    # Back on the same filtered list; they release at the end of the window, each with its
    # Undo until then, and the plan counts 58 at once.
    expect(page.locator("#flashes [data-role=scheduled]")).to_contain_text(
        ": (303) 555-0001, (303) 555-0003. Undo any of them in its row until then."
    )
    expect(rows).to_have_count(30)
    expect(page.locator("#numbers-table [data-role=undo-release]")).to_have_count(2)
    expect(page.get_by_label("Assistant", exact=True)).to_have_value(
        page.locator("#filter-assistant option", has_text="Ava").get_attribute("value")
    )
    expect(page.locator("#plan-headline")).to_have_text("58 of 50 numbers · Scale")


def test_without_javascript_filter_select_and_release(server, people, browser):
    owner = people.member("scale")
    seed(server.app, owner, 12, area="720")
    context = browser.new_context(java_script_enabled=False, locale="en-US")
    page = context.new_page()
    sign_in(page, server.url, owner.email)
    page.get_by_label("Search").fill("555-001")
    page.get_by_role("button", name="Apply").click()  # a plain GET: the page reloads
    rows = page.locator("#numbers-table tbody tr")
    expect(rows).to_have_count(2)
    assert "q=555-001" in page.url
    # Each row's box belongs to the bulk form outside the table (the form attribute).
    for number in ("(720) 555-0010", "(720) 555-0011"):
        page.get_by_label(f"Select {number}").check()
    page.get_by_label("With the selected numbers").select_option("release")
    page.get_by_role("button", name="Review…").click()
    expect(page.get_by_role("heading", name="Release 2 numbers?")).to_be_visible()
    page.get_by_role("button", name="Release 2 numbers").click()
    scheduled = page.locator("#flashes [data-role=scheduled]")
    expect(scheduled).to_contain_text("2 numbers release at")  # in the list's order
    expect(scheduled).to_contain_text("(720) 555-0010")
    expect(scheduled).to_contain_text("(720) 555-0011")
    expect(scheduled).to_contain_text(" UTC")  # no JavaScript: the server's own time
    expect(rows.locator("[data-role=undo-release]")).to_have_count(2)  # still the same search
    context.close()


def test_without_javascript_one_release_goes_through_its_page(server, people, browser, monkeypatch):
    # Released at once (test_release_undo.py: a release with its window, without JavaScript).
    monkeypatch.setitem(server.app.config, "RELEASE_GRACE_MINUTES", 0)
    owner = people.member("growth")
    people.number(owner, "+17205550150")
    context = browser.new_context(java_script_enabled=False, locale="en-US")
    page = context.new_page()
    sign_in(page, server.url, owner.email)
    row = page.locator("#numbers-table tr[data-number='+17205550150']")
    row.locator("summary", has_text="Release").click()
    row.get_by_role("link", name="Review the release of (720) 555-0150").click()
    expect(page.get_by_role("heading", name="Release (720) 555-0150")).to_be_visible()
    page.get_by_role("button", name="Release number").click()
    expect(page.locator("#flashes .flash-success")).to_have_text("Released (720) 555-0150.")
    expect(page.locator("#numbers-empty")).to_be_visible()
    context.close()
