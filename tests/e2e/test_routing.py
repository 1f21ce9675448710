"""End to end in Chromium: an assistant with a SIP destination, a number bought and routed
with a fallback, a blocklist and opening hours, and Test routing for an allowed, a blocked
and an after-hours caller, each showing its decision path."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Page, expect

from tests.e2e.helpers import sign_in

SHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


def test_route_a_number_and_test_where_calls_go(server, people, page: Page):
    owner = people.member("growth")
    sign_in(page, server.url, owner.email)
    main = page.get_by_role("navigation", name="Main")

    # An assistant, and where it answers: Vapi's SIP address.
    main.get_by_role("link", name="Assistants").click()
    page.get_by_label("Name").fill("Front desk")
    page.get_by_role("button", name="Create assistant").click()
    link = page.locator("#assistants-table [data-role=destination]")
    expect(link).to_have_text("Calls to its numbers go to the fallback")
    link.click()
    page.get_by_label("Send calls to").select_option("sip")
    page.get_by_label("Address").fill("sip:front-desk@sip.vapi.ai")
    page.get_by_label("Platform (optional)").select_option("vapi")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#destination-now")).to_have_text("SIP · sip:front-desk@sip.vapi.ai · Vapi")

    # Buy a number from the search.
    page.goto(f"{server.url}/teams/{owner.team_id}/search?country=US&area_code=415")
    page.locator("button[data-buy='+14155550100']").click()
    main.get_by_role("link", name="Numbers").click()
    page.locator("#number-" + _number_id(server, owner) + " a[data-role=number-page]").click()
    expect(page.locator("#number-title")).to_have_text("(415) 555-0100")

    # Route it: the assistant, a fallback, a blocklist, weekday hours with voicemail after.
    page.locator(".routing-edit summary").click()
    page.get_by_label("Assistant 1").select_option(label="Front desk")
    page.get_by_label("Fallback").fill("+1 415 555 0199")
    page.get_by_label("Blocked callers").fill("+1900\n+14155550123")
    page.get_by_label("Time zone").fill("America/New_York")
    for day in ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday"):
        page.get_by_label(f"{day} opens").fill("09:00")
        page.get_by_label(f"{day} closes").fill("17:00")
    page.get_by_label("After hours").fill("sip:voicemail@pbx.example.com")
    page.get_by_role("button", name="Save routing").click()
    expect(page.locator("#routing-notice")).to_have_text("Routing saved for (415) 555-0100.")
    expect(page.locator("#routing-inbound")).to_contain_text(
        "Front desk · SIP · sip:front-desk@sip.vapi.ai · Vapi"
    )
    expect(page.locator("#routing-blocklist")).to_have_text("+1900, +14155550123")

    # An allowed caller on a Tuesday morning in New York reaches the assistant.
    run_test(page, "+12125550100", "2026-12-01T10:00")
    result = page.locator("#test-result")
    expect(result).to_have_attribute("data-outcome", "answered")
    expect(page.locator("#test-outcome")).to_have_text("Answered")
    expect(result).to_contain_text("Front desk answers at sip:front-desk@sip.vapi.ai.")
    expect(page.locator("#test-fallback")).to_have_text("after 20 s: (415) 555-0199")
    expect_path(
        page, [("blocklist", "no"), ("hours", "no"), ("assistant", "yes"), ("destination", "yes")]
    )

    # A blocked caller is rejected at the first rule.
    run_test(page, "+19005550100", "2026-12-01T10:00")
    expect(page.locator("#test-result")).to_have_attribute("data-outcome", "rejected")
    expect(page.locator("#decision-path li")).to_have_text(
        ["Blocklist: +19005550100 matches +1900"]
    )

    # After hours the call goes to voicemail.
    run_test(page, "+12125550100", "2026-12-01T20:00")
    expect(page.locator("#test-result")).to_have_attribute("data-rule", "hours")
    expect(page.locator("#test-result")).to_contain_text(
        "It goes to sip:voicemail@pbx.example.com."
    )
    expect_path(page, [("blocklist", "no"), ("hours", "yes"), ("destination", "yes")])

    # Every test is in the number's call log.
    page.reload()
    expect(page.locator("#calls-table tbody tr")).to_have_count(3)
    expect(page.locator("#number-history li[data-action=routing_change]")).to_have_count(1)
    run_test(page, "+12125550100", "2026-12-01T10:00")
    page.locator("#routing-test").scroll_into_view_if_needed()
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.wait_for_timeout(150)
    page.screenshot(path=str(SHOTS / "number-routing.png"), full_page=True, caret="initial")


def run_test(page: Page, caller: str, at: str) -> None:
    page.get_by_label("Caller", exact=True).fill(caller)
    page.get_by_label("When (America/New_York)").fill(at)
    page.get_by_role("button", name="Test routing").click()
    expect(page.locator("#test-result")).to_be_visible()
    expect(page.locator("#test-result")).to_contain_text(caller)


def expect_path(page: Page, steps) -> None:
    items = page.locator("#decision-path li")
    expect(items).to_have_count(len(steps))
    for index, (rule, matched) in enumerate(steps):
        expect(items.nth(index)).to_have_attribute("data-rule", rule)
        expect(items.nth(index)).to_have_attribute("data-matched", matched)


def _number_id(server, owner) -> str:
    import sqlalchemy as sa

    from app.extensions import db
    from app.models import PhoneNumber

    with server.app.app_context():
        return db.session.scalar(
            sa.select(PhoneNumber.id).where(PhoneNumber.team_id == owner.team_id)
        )
