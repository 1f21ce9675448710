"""The pages this change added, in a browser, on a desktop and a phone: axe finds nothing and
nothing is wider than the screen. The getting-started checklist dismissed with htmx, History
filtered in place, an order's receipt, the statements, and an invitation's Resend and link."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from app.accounts import invitations
from app.models import utcnow
from tests.e2e.axe import assert_no_violations, with_axe
from tests.e2e.helpers import sign_in
from tests.factories import actor_of, hold
from tests.helpers import sandbox_number

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def axe_page(context, page):
    with_axe(context)
    return page


def note(page: Page, state: str, problems: list[str]) -> None:
    try:
        assert_no_violations(page, state)
    except AssertionError as error:
        problems.append(str(error))
    wide = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    if wide > 0:
        problems.append(f"{state} ({page.url}): {wide}px wider than the screen")


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_the_new_pages_in_a_browser(server, people, axe_page: Page, viewport):
    page = axe_page
    if viewport == "phone":
        page.set_viewport_size(PHONE)
    owner = people.member("growth")
    area = "646" if viewport == "phone" else "718"
    for index in range(2):
        hold(server.app, owner, sandbox_number(area, 20 + index))
    with server.app.app_context():
        invitations.invite(actor_of(owner), f"guest-{viewport}@example.com")
    sign_in(page, server.url, owner.email)
    team = f"{server.url}/teams/{owner.team_id}"
    problems: list[str] = []

    expect(page.locator("#onboarding")).to_be_visible()
    note(page, "numbers with the getting-started checklist", problems)

    page.goto(team + "/cart")
    page.locator("#buy-cart").click()
    expect(page.locator("#receipt-lines tbody tr")).to_have_count(2)
    expect(page.locator("#receipt-total [data-role=total]")).to_have_text("$4.00")
    note(page, "an order's receipt", problems)

    page.goto(team + "/history")
    page.get_by_label("Action").select_option("purchases")
    expect(page.locator("#history-count")).to_have_text("2 events match the filters")
    expect(page).to_have_url(f"{team}/history?action=purchases")
    note(page, "history, filtered", problems)
    page.goto(team + "/history?since=someday")
    expect(page.locator("#history-since-error")).to_be_visible()
    note(page, "history, a bad filter", problems)

    page.goto(team + "/plans")
    expect(page.locator("#statements li").first).to_be_visible()
    note(page, "plans with statements", problems)
    page.goto(f"{team}/statements/{utcnow():%Y-%m}")
    expect(page.locator("#statement-lines tbody tr")).to_have_count(3)  # the plan, two numbers
    note(page, "a month's statement", problems)

    page.goto(team + "/settings")
    row = page.locator(f"#invitations-table tr[data-email='guest-{viewport}@example.com']")
    expect(row.locator("[data-role=invite-link]")).to_have_value(
        # The link's token is signed when the page is made: its start is what is stable.
        re.compile(rf"^{server.url}/invitations/")
    )
    expect(page.locator("#role-descriptions")).to_be_visible()
    note(page, "team settings with an invitation and role descriptions", problems)
    row.locator("[data-role=resend]").click()
    expect(page.locator("#team-notice")).to_contain_text("Sent the invitation to guest-")
    note(page, "an invitation resent", problems)

    page.goto(team + "/numbers")
    page.locator("#onboarding-dismiss").click()
    expect(page.locator("#onboarding")).to_have_count(0)
    page.reload()
    expect(page.locator("#onboarding")).to_have_count(0)
    assert not problems, "\n\n".join(problems)
