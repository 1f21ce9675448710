"""A downgrade in real Chromium: the summary first, then the grace on every page, the owner
choosing what to keep, and the sweep at its end releasing exactly the rest."""

from __future__ import annotations

from datetime import timedelta

from playwright.sync_api import Page, expect

from app.extensions import db
from app.models import Team
from app.plans.enforcement import enforce_limits
from tests.e2e.helpers import sign_in

SHOTS = "/tmp/plan-changes-e2e"


def test_a_downgrade_shows_its_summary_then_the_owner_keeps_three_and_the_rest_go(
    server, people, page: Page
):
    owner, ids = people.over_limit(6, "growth", area="917")  # on Growth: within its limit
    sign_in(page, server.url, owner.email)
    team = f"{server.url}/teams/{owner.team_id}"

    page.goto(team + "/plans")
    page.locator("#plan-starter").get_by_role("link", name="Move to Starter").click()
    expect(page.get_by_role("heading", name="Move to Starter?")).to_be_visible()
    expect(page.locator("#change-price")).to_have_text("$9 a month (now $29 a month)")
    expect(page.locator("#change-over")).to_contain_text(
        "This team holds 6 numbers; Starter allows 3"
    )
    expect(page.locator("#due-numbers li")).to_have_count(3)
    page.screenshot(path=f"{SHOTS}-confirm.png", full_page=True)
    page.get_by_role("link", name="Back").click()
    expect(page.locator("#plan-headline")).to_have_text("6 of 10 numbers · Growth")  # unchanged

    page.locator("#plan-starter").get_by_role("link", name="Move to Starter").click()
    page.get_by_role("button", name="Confirm: move to Starter").click()
    expect(page.locator(".flash-success")).to_contain_text("on the Starter plan now")
    # The grace, on every team page, with its date in the viewer's time.
    for path in ("/numbers", "/assistants", "/history"):
        page.goto(team + path)
        expect(page.locator("#grace-situation")).to_contain_text(
            "This team holds 6 numbers and the Starter plan allows 3: choose the 3 to keep by"
        )
    page.screenshot(path=f"{SHOTS}-banner.png", full_page=True)

    page.get_by_role("link", name="Choose the numbers to keep").click()
    expect(page.get_by_role("heading", name="Numbers to keep")).to_be_visible()
    keep = [ids[0], ids[2], ids[5]]  # the oldest two answered by Ava, and the newest
    for number_id in keep:
        page.locator(f"#keep-box-{number_id}").check()
    page.get_by_role("button", name="Keep the ticked numbers").click()
    expect(page.locator(".flash-success")).to_contain_text("Keeping 3 numbers")
    for number_id in keep:
        expect(page.locator(f"#keep-{number_id}")).to_have_attribute("data-fate", "kept")
    expect(page.locator("tr[data-fate=released]")).to_have_count(3)
    page.screenshot(path=f"{SHOTS}-keep.png", full_page=True)

    with server.app.app_context():  # the time to choose is over: the sweep runs
        ends = db.session.get(Team, owner.team_id).grace_ends_at
        assert enforce_limits(ends + timedelta(minutes=1)).released == 3
    page.goto(team + "/numbers")
    expect(page.locator("#grace-banner")).to_have_count(0)
    expect(page.locator("#numbers-table tbody tr")).to_have_count(3)
    expect(page.locator("#plan-headline")).to_have_text("3 of 3 numbers · Starter")
    page.goto(team + "/history")
    expect(page.locator("#history-table")).to_contain_text("over the plan's limit, and not kept")


def test_a_member_sees_what_is_kept_but_cannot_choose(server, people, page: Page):
    owner, _ids = people.over_limit(5, "starter", area="929")
    member = people.member(team_id=owner.team_id, role="member")
    sign_in(page, server.url, member.email)
    page.goto(f"{server.url}/teams/{owner.team_id}/numbers")
    page.get_by_role("link", name="See what is released").click()
    expect(page.locator("#keep-read-only")).to_contain_text("Only an owner")
    expect(page.locator("input[name=keep]")).to_have_count(0)
    expect(page.locator("tr[data-fate=released]")).to_have_count(2)
