"""End to end in Chromium: the plan limit → Plans → upgrade → buy; an invitation read from
the test SMTP server; a member who may not change the plan; a reset link that works once."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from app.extensions import db
from app.models import Team
from tests.e2e.helpers import emailed_link, sign_in
from tests.factories import PASSWORD


def search(page: Page, base: str, team_id: str, area: str = "415") -> None:
    page.goto(f"{base}/teams/{team_id}/search?country=US&area_code={area}&limit=5")
    expect(page.locator("#offers tbody tr")).to_have_count(5)


def cell(page: Page, row: int):
    return page.locator("#offers tbody tr").nth(row).locator("td.offer-action")


def test_a_free_team_hits_its_limit_upgrades_on_the_plans_page_and_buys_a_second(
    server, people, page: Page
):
    owner = people.member("free")
    sign_in(page, server.url, owner.email)
    search(page, server.url, owner.team_id)
    cell(page, 0).get_by_role("button").click()
    expect(cell(page, 0)).to_contain_text("Purchased ✓")
    # The limit: Buy is disabled and the notice says why, with the way out.
    expect(page.locator("#offers-notice")).to_contain_text("used its free trial")
    page.locator("#offers-notice").get_by_role("link", name="Compare plans").click()

    expect(page.get_by_role("heading", name="Plans")).to_be_visible()
    expect(page.locator("#billing-free-changes")).to_contain_text("No card needed")
    expect(page.locator("#plan-starter [data-role=price]")).to_have_text("$9 / month")
    page.locator("#plan-starter").get_by_role("link", name="Upgrade to Starter").click()
    # What the change does, first: the trial number stays, as a regular one.
    expect(page.get_by_role("heading", name="Upgrade to Starter?")).to_be_visible()
    expect(page.locator("#change-trial")).to_contain_text("stays, as a regular number")
    page.get_by_role("button", name="Confirm: upgrade to Starter").click()
    expect(page.locator(".flash-success")).to_contain_text("on the Starter plan now")
    expect(page.locator("#plan-headline")).to_have_text("1 of 3 numbers · Starter")
    expect(page.locator("#plan-starter [data-role=current]")).to_be_visible()

    search(page, server.url, owner.team_id)
    cell(page, 1).get_by_role("button").click()
    expect(cell(page, 1)).to_contain_text("Purchased ✓")
    expect(page.locator("#plan-headline")).to_have_text("2 of 3 numbers · Starter")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Numbers").click()
    expect(page.locator("#numbers-table tbody tr")).to_have_count(2)
    expect(page.locator("#numbers-table [data-role=trial-countdown]")).to_have_count(0)


def test_an_owner_invites_a_colleague_who_signs_up_from_the_email_and_sees_the_numbers(
    server, people, mailbox, page: Page, browser
):
    owner = people.member("growth")
    people.number(owner, "+14155550177")
    sign_in(page, server.url, owner.email)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Team").click()
    expect(page.locator("#team-id")).to_have_value(owner.team_id)
    page.get_by_label("Email").fill("linus@example.com")
    page.get_by_label("Role").select_option("admin")
    page.get_by_role("button", name="Send invitation").click()
    expect(page.locator("#team-notice")).to_contain_text("Invited linus@example.com as admin")
    expect(page.locator("#invitations-table tr[data-email='linus@example.com']")).to_be_visible()

    link = emailed_link(mailbox, "linus@example.com", "invited you to")
    colleague = browser.new_context(locale="en-US")
    try:
        tab = colleague.new_page()
        tab.goto(link)
        expect(tab.get_by_role("heading", name=re.compile("^Join "))).to_be_visible()
        tab.get_by_label("Your name").fill("Linus")
        tab.get_by_label("Choose a password").fill("kernel hacker")
        tab.get_by_role("button", name="Create account and join").click()
        expect(tab.locator(".flash-success")).to_contain_text("You joined")
        expect(tab.locator("#numbers-table tr[data-number='+14155550177']")).to_be_visible()
        tab.goto(link)  # once only
        expect(tab.locator("#link-problem")).to_contain_text("already used")
    finally:
        colleague.close()

    page.reload()
    expect(page.locator("#members-table tr[data-email='linus@example.com']")).to_have_attribute(
        "data-role", "admin"
    )
    expect(page.locator("#invitations-table")).to_have_count(0)


def test_a_member_does_not_see_the_plan_change_and_is_refused_when_posting_it(
    server, people, page: Page
):
    owner = people.member("starter")
    member = people.member(team_id=owner.team_id, role="member")
    sign_in(page, server.url, member.email)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Plans").click()
    expect(page.locator("#plans [data-plan]")).to_have_count(4)
    expect(page.locator("#plans [data-role=choose]")).to_have_count(0)
    expect(page.locator("#no-plan-change")).to_contain_text("Only an owner")

    token = page.locator("body").get_attribute("hx-headers")
    csrf = re.search(r'"X-CSRFToken": "([^"]+)"', token).group(1)
    answer = page.request.post(
        f"{server.url}/teams/{owner.team_id}/plans",
        form={"plan": "scale", "csrf_token": csrf},
        max_redirects=0,
    )
    assert answer.status == 403
    with server.app.app_context():
        assert db.session.get(Team, owner.team_id).plan == "starter"


def test_a_reset_link_works_once(server, people, mailbox, page: Page):
    someone = people.member("free")
    page.goto(f"{server.url}/signin")
    page.get_by_role("link", name="Forgot your password?").click()
    page.get_by_label("Email").fill(someone.email)
    page.get_by_role("button", name="Email me a link").click()
    expect(page.locator("#reset-sent")).to_contain_text(someone.email)

    link = emailed_link(mailbox, someone.email, "Reset your password")
    page.goto(link)
    page.get_by_label("New password").fill("a brand new password")
    page.get_by_role("button", name="Set the new password").click()
    expect(page.locator(".flash-success")).to_contain_text("signed out everywhere")

    page.get_by_label("Email").fill(someone.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator("#signin-error")).to_be_visible()
    page.get_by_label("Password").fill("a brand new password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Phone numbers")).to_be_visible()

    page.goto(link)
    expect(page.locator("#link-problem")).to_contain_text("already used")
