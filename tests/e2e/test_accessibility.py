"""axe-core finds no violation on any page, in any state a person meets it (signed out, an
empty team, a full list, a live and an expired trial, open pickers and confirmations, releases
waiting out their window with Undo, search results, every settings page, error pages), on a
desktop and a phone-sized screen."""

from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import Page, expect

from app.assistants import service as assistants
from app.models import utcnow
from app.numbers.purchasing import purchase_number
from tests.e2e.axe import assert_no_violations, violations, with_axe
from tests.e2e.helpers import sign_in
from tests.factories import actor_of, ask, guard, hold, seed
from tests.helpers import sandbox_number

PHONE = {"width": 390, "height": 844}


def check(page: Page, url: str, state: str, problems: list[str]) -> None:
    page.goto(url)
    _note(page, state, problems)


@pytest.fixture
def axe_page(context, page):
    with_axe(context)
    return page


def test_the_check_catches_a_violation(server, axe_page: Page):
    """The harness itself: axe is loaded under the pages' CSP and reports what it finds."""
    axe_page.goto(server.url + "/signin")
    axe_page.evaluate("document.querySelector('main').append(document.createElement('img'))")
    assert "image-alt" in {v["id"] for v in violations(axe_page)}


def test_signed_out_pages(server, axe_page: Page):
    problems: list[str] = []
    for path, state in [
        ("/signin", "sign in"),
        ("/signup", "sign up"),
        ("/forgot-password", "forgot password"),
        ("/no-such-page", "404 signed out"),
    ]:
        check(axe_page, server.url + path, state, problems)
    # A form whose token expired: the same fields again, to check and send.
    axe_page.goto(server.url + "/signin")
    axe_page.evaluate("document.querySelector('input[name=csrf_token]').value = 'stale'")
    axe_page.get_by_role("button", name="Sign in").click()
    expect(axe_page.locator("#resend[data-status='400']")).to_be_visible()
    _note(axe_page, "400, a stale form to send again", problems)
    assert not problems, "\n\n".join(problems)


@pytest.fixture(scope="module")
def big_team(server, people):
    owner = people.member("scale")
    seed(server.app, owner, 60)
    with server.app.app_context():
        actor = actor_of(owner)
        helper = assistants.create_assistant(actor, "Helpdesk" + "x" * 110)
        number_ids = [n.id for n in purchase_list(owner)][:3]
        assistants.assign_numbers(actor, helper, number_ids)
    return owner


def purchase_list(owner):
    from app.numbers.queries import team_numbers

    return team_numbers(owner.team_id)


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_every_page_of_a_full_team(server, big_team, context, axe_page: Page, viewport):
    page = axe_page
    if viewport == "phone":
        page.set_viewport_size(PHONE)
    sign_in(page, server.url, big_team.email)
    team = f"{server.url}/teams/{big_team.team_id}"
    problems: list[str] = []
    for path, state in [
        ("/numbers", "numbers, full"),
        ("/numbers?q=zzz", "numbers, nothing matches"),
        ("/numbers?status=gone", "numbers, a bad filter"),
        ("/numbers?sort=number&q=ava", "numbers, filtered and sorted"),
        ("/search?country=US&area_code=415", "search with results"),
        ("/search?country=US&area_code=41", "search with a field error"),
        ("/assistants", "assistants"),
        ("/history", "history"),
        ("/plans", "plans"),
        ("/settings", "team"),
    ]:
        check(page, team + path, state, problems)
    for path, state in [("/account", "account"), ("/settings/tokens", "API tokens")]:
        check(page, server.url + path, state, problems)
    check(page, f"{server.url}/teams/team_00000000000000000000000000/numbers", "404", problems)

    # The API tokens page with a token just made (its scopes shown), then with both fields wrong.
    page.goto(server.url + "/settings/tokens")
    page.get_by_label("Token name").fill("Voice bot")
    page.locator("#scopes-field input[value='numbers:buy']").check()
    page.get_by_role("button", name="Create token").click()
    expect(page.locator("#token-created-scopes code")).to_have_count(2)
    _note(page, "API tokens, a token made", problems)
    page.locator("#scopes-field input[value='numbers:read']").uncheck()
    page.get_by_role("button", name="Create token").click()
    expect(page.locator("#scopes-error")).to_be_visible()
    _note(page, "API tokens, no name and no scope", problems)

    # States reached by acting on the Numbers page.
    page.goto(team + "/numbers?sort=number")
    # A live row (the other viewport's run may have released the first ones).
    live = page.locator("#numbers-table tbody tr:has([data-role=change-assistant])").first
    row = page.locator(f"#{live.get_attribute('id')}")  # held still as its content changes
    row.locator("[data-role=change-assistant]").click()
    expect(row.locator("select[data-role=assistant-picker]")).to_be_visible()
    _note(page, "numbers, a picker open", problems)
    row.locator("[data-role=edit-label]").click()
    expect(row.locator("input[name=label]")).to_be_visible()
    _note(page, "numbers, a label being edited", problems)
    row.locator("summary", has_text="Release").click()
    expect(row.locator(".confirm-question")).to_be_visible()  # loaded as the panel opens
    _note(page, "numbers, a release confirmation open", problems)
    page.goto(team + "/numbers?sort=number")
    for box in page.locator("[data-role=select-number]").all()[:2]:
        box.check()
    page.get_by_label("With the selected numbers").select_option("release")
    page.get_by_role("button", name="Review…").click()
    expect(page.locator("#selection-list tbody tr")).to_have_count(2)
    _note(page, "bulk release confirmation", problems)
    page.locator("#selection-confirm").click()
    expect(page.locator("#flashes [data-role=scheduled]")).to_be_visible()
    _note(page, "numbers after a bulk release (each row releasing, with Undo)", problems)
    # 60 numbers on a 50-number plan: an undo does not fit, and the row says why.
    undo = page.locator("#numbers-table form[data-role=undo]").first
    undo.get_by_role("button").click()
    expect(page.locator("#numbers-table [data-role=undo-error]")).to_be_visible()
    _note(page, "numbers, an undo refused for the plan", problems)
    live = page.locator("#numbers-table tbody tr:has(details[data-role=release])").first
    row = page.locator(f"#{live.get_attribute('id')}")
    row.locator("summary", has_text="Release").click()
    row.get_by_role("button", name="Release number").click()
    expect(page.locator("#numbers-notice [data-role=scheduled]")).to_be_visible()
    _note(page, "numbers, a release scheduled (the notice's Undo)", problems)
    assert not problems, "\n\n".join(problems)


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_the_cart_and_an_order(server, people, axe_page: Page, viewport):
    """Holding, reviewing and buying several numbers: the cart full, empty, and the order."""
    page = axe_page
    if viewport == "phone":
        page.set_viewport_size(PHONE)
    owner = people.member("growth")
    area = "646" if viewport == "phone" else "718"
    for index in range(2):
        hold(server.app, owner, sandbox_number(area, 10 + index))
    sign_in(page, server.url, owner.email)
    team = f"{server.url}/teams/{owner.team_id}"
    problems: list[str] = []
    check(page, team + "/cart", "cart with two held numbers", problems)
    page.locator("#buy-cart").click()
    expect(page.locator("#order-results tbody tr")).to_have_count(2)
    _note(page, "the order's results", problems)
    check(page, team + "/cart", "an empty cart", problems)
    assert not problems, "\n\n".join(problems)


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_guardrails_and_purchase_requests(server, people, browser, viewport):
    """The month's spend, the guardrails form (and its error), requests waiting, one being
    denied and one approved, a member's Buy sent for approval, and the cart holding it."""
    owner = people.member("growth")
    member = people.member(team_id=owner.team_id, role="member")
    guard(server.app, owner, spend_cap="9.00", approval_required=True)
    area = "303" if viewport == "phone" else "512"
    for index in range(2):
        ask(server.app, member, sandbox_number(area, 10 + index))
    team = f"{server.url}/teams/{owner.team_id}"
    problems: list[str] = []
    for who in (owner, member):
        context = with_axe(browser.new_context(locale="en-US"))
        page = context.new_page()
        if viewport == "phone":
            page.set_viewport_size(PHONE)
        sign_in(page, server.url, who.email)
        role = "owner" if who is owner else "member"
        check(page, team + "/requests", f"requests, two waiting ({role})", problems)
        if who is owner:
            page.locator("details[data-role=deny] summary").first.click()
            expect(page.locator("details[data-role=deny] input[name=note]").first).to_be_visible()
            _note(page, "requests, a denial being written", problems)
            page.locator("button[data-role=approve]").first.click()
            expect(page.locator("#requests-notice")).to_be_visible()
            _note(page, "requests, one approved", problems)
            check(page, team + "/settings", "team, guardrails on", problems)
            page.locator("#spend_cap").fill("lots")
            page.locator("#guardrails-save").click()
            expect(page.locator("#spend_cap-error")).to_be_visible()
            _note(page, "team, a bad cap", problems)
            check(page, team + f"/search?country=US&area_code={area}", "search, the cap", problems)
        else:
            page.goto(team + f"/search?country=US&area_code={area}&limit=3")
            page.locator("button[data-buy]").first.click()
            expect(page.locator("td[data-outcome=requested]")).to_be_visible()
            _note(page, "search, a Buy sent for approval", problems)
            check(page, team + "/cart", "cart, a number waiting for approval", problems)
        context.close()
    assert not problems, "\n\n".join(problems)


def _note(page: Page, state: str, problems: list[str]) -> None:
    try:
        assert_no_violations(page, state)
    except AssertionError as error:
        problems.append(str(error))
    # And the page fits its screen: a 118-character unbroken name must wrap, not widen it.
    wide = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    if wide > 0:
        problems.append(f"{state} ({page.url}): {wide}px wider than the screen")


def test_empty_trial_and_expired_teams(server, people, browser):
    problems: list[str] = []
    empty = people.member("free")
    live = people.member("free")
    with server.app.app_context():
        purchase_number(actor_of(live), "+14155550160")
    expired = people.member("free")
    people.number(
        expired, "+14155550161", is_trial=True, trial_expires_at=utcnow() - timedelta(days=1)
    )
    # A member asking for what only admins may do: the 403 page.
    member = people.member(team_id=live.team_id, role="member")
    context = with_axe(browser.new_context(locale="en-US"))
    page = context.new_page()
    sign_in(page, server.url, member.email)
    page.goto(f"{server.url}/teams/{live.team_id}/numbers/selection?action=release&ids=pn_x")
    expect(page.locator("#error[data-status='403']")).to_be_visible()
    _note(page, "403", problems)
    context.close()
    for member, state in [(empty, "empty"), (live, "live trial"), (expired, "expired trial")]:
        context = with_axe(browser.new_context(locale="en-US"))
        page = context.new_page()
        sign_in(page, server.url, member.email)
        _note(page, f"numbers, {state}", problems)
        check(page, f"{server.url}/teams/{member.team_id}/plans", f"plans, {state}", problems)
        context.close()
    assert not problems, "\n\n".join(problems)


def test_the_phone_header_is_compact(server, big_team, context, axe_page: Page):
    page = axe_page
    page.set_viewport_size(PHONE)
    sign_in(page, server.url, big_team.email)
    header = page.locator("header.site-header").bounding_box()
    assert header["height"] <= PHONE["height"] * 0.2, header  # it took a quarter before
    nav = page.get_by_role("navigation", name="Main")
    tops = [link.bounding_box()["y"] for link in nav.get_by_role("link").all()]
    history = tops[3]
    assert tops.count(history) >= 2, tops  # "History" never on a line of its own


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_plan_changes(server, people, browser, viewport):
    """The plan-change summaries, a team over its limit (its banner, the Keep page for owners
    and for others, a refused choice), sales past the largest plan, and the new-team page."""
    problems: list[str] = []
    area = "347" if viewport == "phone" else "332"
    owner, ids = people.over_limit(6, "starter", area=area)
    admin = people.member(team_id=owner.team_id, role="admin")
    scale = people.member("scale")
    seed(server.app, scale, 50, "786" if viewport == "phone" else "754")
    server.app.config["SALES_CONTACT_URL"] = "mailto:sales@example.com"
    try:
        for who, pages in [
            (
                owner,
                [
                    (f"/teams/{owner.team_id}/numbers", "numbers, over the plan"),
                    (f"/teams/{owner.team_id}/plans", "plans, over the plan"),
                    (f"/teams/{owner.team_id}/plans/keep", "keep, owner"),
                    (f"/teams/{owner.team_id}/plans/growth/confirm", "summary, an upgrade"),
                    (f"/teams/{owner.team_id}/plans/free/confirm", "summary, to Free"),
                    ("/teams/new", "new team"),
                ],
            ),
            (admin, [(f"/teams/{owner.team_id}/plans/keep", "keep, read-only")]),
            (scale, [(f"/teams/{scale.team_id}/plans", "plans, the largest plan full")]),
        ]:
            context = with_axe(browser.new_context(locale="en-US"))
            page = context.new_page()
            if viewport == "phone":
                page.set_viewport_size(PHONE)
            sign_in(page, server.url, who.email)
            for path, state in pages:
                check(page, server.url + path, state, problems)
            if who is owner:  # a choice of too many: the page says so
                page.goto(f"{server.url}/teams/{owner.team_id}/plans/keep")
                for number_id in ids[:4]:
                    page.locator(f"#keep-box-{number_id}").check()
                page.get_by_role("button", name="Keep the ticked numbers").click()
                expect(page.locator("#keep-problem")).to_be_visible()
                _note(page, "keep, too many chosen", problems)
            context.close()
    finally:
        server.app.config["SALES_CONTACT_URL"] = None
    assert not problems, "\n\n".join(problems)
