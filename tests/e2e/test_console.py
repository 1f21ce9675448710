"""The console's major defects, checked in Chromium (desktop 1280×800 and phone 390×844, axe
clean): a role change confirms and keeps the focus; a stale form keeps what was typed; no page
scrolls sideways at 1024 px with long real data; the Numbers table is dense."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from app.accounts import tokens
from app.campaigns import service as campaigns
from app.extensions import db
from app.models import Team, User
from tests.e2e.axe import assert_no_violations, with_axe
from tests.e2e.helpers import sign_in
from tests.factories import actor_of, seed

VIEWPORTS = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}
LONG_TEAM = "Northwind Customer Experience Operations International Holdings"
LONG_PERSON = "Maximiliana Wolfeschlegelsteinhausen-Bergerdorff"
LONG_ASSISTANT = "Appointment reminders and rescheduling for Northwind clinics"
LONG_TOKEN = "northwind-clinics-production-voice-bot-eu-west-and-us-east-failover"


@pytest.fixture
def axe_page(context, page):
    with_axe(context)
    return page


def rename(server, member, team: str | None = None, person: str | None = None) -> None:
    with server.app.app_context():
        if team:
            db.session.get(Team, member.team_id).name = team
        if person:
            db.session.get(User, member.user_id).name = person
        db.session.commit()


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_a_role_change_confirms_and_keeps_the_focus_on_its_row(
    server, people, axe_page: Page, viewport
):
    page = axe_page
    page.set_viewport_size(VIEWPORTS[viewport])
    owner = people.member("growth")
    member = people.member(team_id=owner.team_id, role="member")
    sign_in(page, server.url, owner.email)
    page.goto(f"{server.url}/teams/{owner.team_id}/settings")
    row = page.locator(f"#member-{member.user_id}")
    # Nothing changes on choosing: the role is chosen inside a confirmation, then confirmed.
    expect(row.locator("select")).to_be_hidden()
    row.locator("[data-role=change-role] summary").click()
    select = row.get_by_label(f"New role for User {member.email[4:-12]}")
    expect(select).to_be_visible()
    select.select_option("owner")
    expect(row).to_have_attribute("data-role", "member")  # not applied yet
    assert_no_violations(page, f"team, a role change open ({viewport})")
    row.get_by_role("button", name="Change the role").click()
    expect(page.locator("#team-notice")).to_contain_text("is an owner now")
    expect(page.locator(f"#member-{member.user_id}")).to_have_attribute("data-role", "owner")
    # The focus stays on the row's own control, not on <body>.
    focused = page.evaluate("document.activeElement.id")
    assert focused == f"change-role-{member.user_id}"
    assert_no_violations(page, f"team, a role changed ({viewport})")


def test_a_stale_token_keeps_the_typed_input_and_one_click_sends_it(server, people, page: Page):
    owner = people.member("growth")
    sign_in(page, server.url, owner.email)
    page.goto(f"{server.url}/teams/{owner.team_id}/settings")
    page.get_by_label("Email").fill("grace@example.com")
    page.get_by_label("Role").select_option("admin")
    # As if the person signed in again in another tab: this page's token is no longer valid.
    page.evaluate(
        """() => {
          for (const input of document.querySelectorAll('input[name=csrf_token]')) {
            input.value = 'stale';
          }
          document.body.setAttribute('hx-headers', '{"X-CSRFToken": "stale"}');
        }"""
    )
    page.get_by_role("button", name="Send invitation").click()
    note = page.locator("#invite-form [data-role=form-token-renewed]")
    expect(note).to_have_text("Your session changed in another tab; check and send again.")
    expect(page.get_by_label("Email")).to_have_value("grace@example.com")
    expect(page.get_by_label("Role")).to_have_value("admin")
    expect(page.get_by_role("button", name="Send invitation")).to_be_focused()
    page.get_by_role("button", name="Send invitation").click()
    expect(page.locator("#team-notice")).to_contain_text("Invited grace@example.com as admin")


def test_without_javascript_a_stale_form_comes_back_to_send_again(server, people, browser):
    owner = people.member("growth")
    context = browser.new_context(java_script_enabled=False, locale="en-US")
    try:
        page = context.new_page()
        sign_in(page, server.url, owner.email)
        page.goto(f"{server.url}/teams/{owner.team_id}/settings")
        page.get_by_label("Email").fill("hopper@example.com")
        page.evaluate("document.querySelector('#invite-form input[name=csrf_token]').value = 'x'")
        page.get_by_role("button", name="Send invitation").click()
        expect(page.locator("#resend-why")).to_have_text(
            "Your session changed in another tab; check and send again."
        )
        expect(page.get_by_label("Email")).to_have_value("hopper@example.com")
        page.get_by_role("button", name="Send again").click()
        expect(page.locator(".flash-success")).to_contain_text("Invited hopper@example.com")
    finally:
        context.close()


# A card clips what sticks out of it (the page then does not scroll): its scrollWidth tells.
OVERFLOW = """() => {
  const doc = document.documentElement;
  const wide = [...document.querySelectorAll('main *')]
    .filter((el) => el.getBoundingClientRect().right > doc.clientWidth + 0.5)
    .slice(0, 5).map((el) => el.tagName + '#' + el.id + '.' + el.className);
  const clipped = [...document.querySelectorAll('main .card')]
    .filter((card) => card.scrollWidth > card.clientWidth + 1)
    .map((card) => card.id + ' ' + card.scrollWidth + '>' + card.clientWidth);
  return {scroll: doc.scrollWidth, client: doc.clientWidth, wide, clipped};
}"""


# How many lines the first `word` of an element's text takes.
WORD_LINES = """(el, word) => {
  const range = document.createRange();
  range.setStart(el.firstChild, 0);
  range.setEnd(el.firstChild, word.length);
  return new Set([...range.getClientRects()].map((rect) => Math.round(rect.top))).size;
}"""


@pytest.fixture(scope="module")
def long_team(server, people):
    """A Free team with long names everywhere: its own, its person's, an assistant's, a label."""
    owner = people.member("growth")
    rename(server, owner, LONG_TEAM, LONG_PERSON)
    seed(server.app, owner, 8, area="415")
    assistant = people.assistant(owner, LONG_ASSISTANT)
    people.number(
        owner,
        "+14155550999",
        assistant_id=assistant,
        label="Overflow line for the downtown Northwind clinic's evening reception desk",
    )
    with server.app.app_context():
        campaigns.create_campaign(
            actor_of(owner),
            {
                "name": "Spring outbound reminders for every Northwind clinic",
                "assistantIds": [assistant],
            },
        )
        person = db.session.get(User, owner.user_id)
        for name in (LONG_TOKEN, "Production voice bot"):
            tokens.issue_token(person, name, scopes=["numbers:read"], expires_in_days=90)
    free = people.member("free", team_id=None)
    rename(server, free, LONG_TEAM + " (trial)", LONG_PERSON)
    return owner, free


@pytest.mark.parametrize("width", [1024, 1280])
def test_no_page_scrolls_sideways_with_long_real_data(server, long_team, page: Page, width):
    owner, free = long_team
    page.set_viewport_size({"width": width, "height": 768})
    wide: list[str] = []

    def visit(url: str) -> None:
        page.goto(url)
        found = page.evaluate(OVERFLOW)
        if found["scroll"] > found["client"] or found["clipped"]:
            wide.append(f"{url}: {found}")

    # The Free team's first search: the trial button must stay inside its card.
    sign_in(page, server.url, free.email)
    visit(f"{server.url}/teams/{free.team_id}/search?country=US&area_code=415&limit=10")
    expect(page.locator("#offers tbody tr").first).to_contain_text("San Francisco")
    city = page.locator("#offers tbody td.offer-place .place-part").first
    expect(city).to_have_text("San Francisco,")
    one_line = city.evaluate("el => el.getClientRects().length === 1 && el.offsetHeight < 30")
    assert one_line, "San Francisco breaks over two lines"
    table = page.locator("#offers").bounding_box()
    card = page.locator("#offers table").bounding_box()
    assert card["x"] + card["width"] <= table["x"] + table["width"] + 1
    for path in ("/numbers", "/plans", "/cart", "/assistants", "/settings"):
        visit(f"{server.url}/teams/{free.team_id}{path}")

    page.context.clear_cookies()
    sign_in(page, server.url, owner.email)
    team = f"{server.url}/teams/{owner.team_id}"
    for path in (
        "/numbers",
        "/search?country=US&area_code=415&limit=10",
        "/assistants",
        "/campaigns",
        "/history",
        "/plans",
        "/settings",
        "/cart",
    ):
        visit(team + path)
    visit(f"{server.url}/account")
    visit(f"{server.url}/settings/tokens")
    # Token names wrap between words ("Production" whole on its line), a long one anywhere.
    name = page.locator("#tokens-table .token-name", has_text="Production voice bot")
    first_word = name.evaluate(WORD_LINES, "Production")
    assert first_word == 1, f"'Production' is broken over {first_word} lines"
    for revoke in page.locator("#tokens-table summary", has_text="Revoke").all():
        box, card = revoke.bounding_box(), page.locator("#tokens-table").bounding_box()
        assert box["x"] + box["width"] <= card["x"] + card["width"]
    # A row with its assistant picker and its label editor open still fits.
    page.goto(team + "/numbers")
    row = page.locator("#numbers-table tr[data-number='+14155550999']")
    row.locator("[data-role=change-assistant]").click()
    expect(row.locator("select[data-role=assistant-picker]")).to_be_visible()
    row.locator("[data-role=edit-label]").click()
    expect(row.locator("input[name=label]")).to_be_visible()
    found = page.evaluate(OVERFLOW)
    if found["scroll"] > found["client"] or found["clipped"]:
        wide.append(f"numbers, a row being edited: {found}")
    release = row.locator("summary", has_text="Release").bounding_box()
    card = page.locator("#numbers-table").bounding_box()
    assert release["x"] + release["width"] <= card["x"] + card["width"]
    number = row.locator("[data-role=number-page]").get_attribute("href")
    visit(server.url + number)
    assert not wide, "\n".join(wide)


def test_numbers_rows_are_dense_and_the_bulk_bar_sticks(server, people, page: Page):
    owner = people.member("scale")
    seed(server.app, owner, 60, area="303")
    sign_in(page, server.url, owner.email)
    page.set_viewport_size(VIEWPORTS["desktop"])
    page.locator("#onboarding-dismiss").click()  # a team this size is past its checklist
    expect(page.locator("#onboarding")).to_have_count(0)
    rows = page.locator("#numbers-table tbody tr")
    expect(rows).to_have_count(50)
    rows_js = "[...document.querySelectorAll('#numbers-table tbody tr')]"
    boxes = f"{rows_js}.map((r) => r.getBoundingClientRect())"
    heights = page.evaluate(f"() => {boxes}.map((box) => box.height)")
    assert max(heights) <= 48, heights
    # At 1280×800 most of the first page's rows fit above the fold.
    above = page.evaluate(f"() => {boxes}.filter((box) => box.bottom <= innerHeight).length")
    assert above >= 7, above
    # The bulk bar says how many are selected and stays in view while scrolling.
    for box in page.locator("[data-role=select-number]").all()[:3]:
        box.check()
    expect(page.locator("#bulk-count")).to_have_text("3 selected")
    page.mouse.wheel(0, 1500)
    page.wait_for_function("scrollY > 1000")
    bar = page.locator("#bulk-form").bounding_box()
    assert 0 <= bar["y"] < 800


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_select_all_matching_reviews_every_match_in_a_table(
    server, people, axe_page: Page, viewport
):
    page = axe_page
    page.set_viewport_size(VIEWPORTS[viewport])
    owner = people.member("scale")
    seed(server.app, owner, 60, area={"desktop": "720", "phone": "719"}[viewport])
    sign_in(page, server.url, owner.email)
    expect(page.locator("#numbers-table tbody tr")).to_have_count(50)
    page.get_by_label("Select all 60 matching").check()
    page.get_by_label("With the selected numbers").select_option("unassign")
    assert_no_violations(page, f"numbers, all matching ticked ({viewport})")
    page.get_by_role("button", name="Review…").click()
    expect(page.get_by_role("heading", name="Unassign 60 numbers?")).to_be_visible()
    expect(page.locator("#selection-list tbody tr")).to_have_count(60)
    # The confirm button is in view at the top, without scrolling past 60 rows.
    top = page.locator("#selection-actions-top").get_by_role("button", name="Unassign 60 numbers")
    assert top.bounding_box()["y"] < VIEWPORTS[viewport]["height"]
    expect(page.locator("#selection-actions-bottom")).to_be_attached()
    assert_no_violations(page, f"a bulk confirmation of 60 ({viewport})")
    top.click()
    expect(page.locator(".flash-success")).to_contain_text("the 60 selected")
    page.get_by_label("Assistant", exact=True).select_option(label="Unassigned")
    expect(page.locator("#numbers-count")).to_have_text("60 numbers match the filters")


def test_a_pattern_field_says_what_it_wants_in_product_words(server, people, page: Page):
    owner = people.member("growth")
    sign_in(page, server.url, owner.email)
    page.goto(f"{server.url}/teams/{owner.team_id}/search")
    area = page.get_by_label("Area code")
    area.fill("12")
    page.get_by_role("button", name="Search").click()
    assert area.evaluate("el => el.validationMessage") == "3 digits, like 415"
    area.fill("415")  # typing clears it: the form is valid again
    assert area.evaluate("el => el.checkValidity()") is True


def test_a_row_release_confirmation_opens_in_view(server, people, page: Page):
    owner = people.member("scale")
    seed(server.app, owner, 20, area="212")
    sign_in(page, server.url, owner.email)
    page.set_viewport_size(VIEWPORTS["desktop"])
    row = page.locator("#numbers-table tbody tr").nth(15)
    # The row's Release sits at the very bottom of the window: its panel would open below it.
    row.evaluate("el => window.scrollBy(0, el.getBoundingClientRect().bottom - innerHeight + 2)")
    row.locator("summary", has_text="Release").click()
    expect(row.locator(".confirm-question")).to_be_visible()
    page.wait_for_function(
        "() => document.querySelector('details.confirm[open] .confirm-panel')"
        ".getBoundingClientRect().bottom <= innerHeight"
    )


def test_the_header_is_one_row_at_1200_px_with_long_names(server, long_team, page: Page):
    owner, _free = long_team
    page.set_viewport_size({"width": 1200, "height": 768})
    sign_in(page, server.url, owner.email)
    team = f"{server.url}/teams/{owner.team_id}"
    rows = {}
    for url in (team + "/numbers", team + "/history", f"{server.url}/settings/tokens"):
        page.goto(url)
        nav = page.locator(".main-nav").bounding_box()
        rows[url] = {
            "nav": round(nav["y"]),
            "team": round(page.locator("#team-switcher").bounding_box()["y"]),
            "account": round(page.locator("#account-menu").bounding_box()["y"]),
            "header": round(page.locator(".site-header").bounding_box()["height"]),
        }
        # The team's long name is cut short in its button and whole in its title.
        summary = page.locator("#team-switcher summary")
        assert summary.get_attribute("title") == LONG_TEAM
    for url, row in rows.items():
        assert abs(row["team"] - row["nav"]) < 12 and abs(row["account"] - row["nav"]) < 12, url
        assert row["header"] < 70, f"{url}: the header is {row['header']} px tall"
