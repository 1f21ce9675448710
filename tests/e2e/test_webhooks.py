"""In Chromium, on a desktop and a phone: an owner adds a webhook endpoint pointing at a
receiver on 127.0.0.1 (which verifies each request with the Standard Webhooks library),
copies the secret shown once, sends a test event and sees it delivered in the log. Each
state passes axe and fits the screen; screenshots go to /tmp/webhooks-shots/."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.axe import assert_no_violations, with_axe
from tests.e2e.helpers import note_console, sign_in
from tests.fakes.receiver import Receiver

SHOTS = Path("/tmp/webhooks-shots")
SCREENS = {"desktop": {"width": 1200, "height": 800}, "phone": {"width": 390, "height": 844}}


@pytest.fixture
def receiver():
    with Receiver() as running:
        yield running


@pytest.fixture(params=list(SCREENS))
def screen(request, browser):
    """A tab the size of the screen, with axe loaded, failing on any script error."""
    context = browser.new_context(
        locale="en-US", timezone_id="America/Los_Angeles", viewport=SCREENS[request.param]
    )
    context.set_default_timeout(10_000)
    with_axe(context)
    tab = context.new_page()
    problems: list[str] = []
    tab.on("pageerror", lambda error: problems.append(str(error)))
    tab.on("console", lambda message: note_console(message, problems))
    yield request.param, tab
    context.close()
    assert not problems, problems


def looked_at(page: Page, name: str, state: str) -> None:
    """No axe violation, nothing wider than the screen, and a screenshot to look at."""
    assert_no_violations(page, state)
    wide = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert wide <= 0, f"{state}: {wide}px wider than the screen"
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True, caret="initial")


def test_an_owner_adds_an_endpoint_and_sees_a_test_event_delivered(
    server, people, receiver, screen, monkeypatch
):
    size, page = screen
    monkeypatch.setitem(server.app.config, "WEBHOOKS_ALLOW_PRIVATE", True)  # the receiver's
    owner = people.member("growth")
    sign_in(page, server.url, owner.email)
    page.goto(f"{server.url}/teams/{owner.team_id}/settings")
    page.get_by_role("link", name="Webhooks", exact=True).click()
    expect(page.get_by_role("heading", name="Webhooks", level=1)).to_be_visible()
    expect(page.locator("#webhooks-empty")).to_be_visible()
    looked_at(page, f"{size}-1-empty", "no endpoints yet")

    page.evaluate("window.__sameDocument = true")  # gone if the page reloads
    page.get_by_label("URL").fill(receiver.url)
    page.get_by_label("Description").fill("CRM sync")
    page.get_by_role("button", name="Add endpoint").click()
    expect(page.locator("#events-error")).to_contain_text("Choose at least one event type")
    expect(page.get_by_label("URL")).to_have_value(receiver.url)
    looked_at(page, f"{size}-2-refused", "an endpoint without events")

    page.locator("#event-number-bought").check()
    page.get_by_role("button", name="Add endpoint").click()
    secret_box = page.locator("#webhook-secret #new-secret")
    expect(secret_box).to_be_visible()
    secret = secret_box.input_value()
    assert secret.startswith("whsec_")
    receiver.secrets = [secret]
    row = page.locator("#webhooks-table tbody tr")
    expect(row).to_have_count(1)
    expect(row.locator("td[data-label=State]")).to_have_text("On")
    assert page.evaluate("window.__sameDocument") is True
    looked_at(page, f"{size}-3-added", "the secret shown once")

    row.get_by_role("link", name=receiver.url).click()
    expect(page.get_by_role("heading", name="Webhook endpoint")).to_be_visible()
    expect(page.locator("#webhook-secret")).to_have_count(0)  # never shown again
    expect(page.locator("#deliveries-empty")).to_be_visible()
    page.evaluate("window.__sameDocument = true")
    page.get_by_role("button", name="Send test event").click()
    expect(page.locator("#webhook-notice")).to_have_text(
        "Sent a test event: its delivery is at the top of the log."
    )
    delivery = page.locator("#deliveries-table tbody tr")
    expect(delivery).to_have_count(1)
    expect(delivery).to_have_attribute("data-status", "delivered")
    expect(delivery.locator("td[data-label=Status]")).to_have_text("Delivered · 1 try")
    expect(delivery.locator("[data-role=last-try]")).to_contain_text("200 in ")
    assert page.evaluate("window.__sameDocument") is True
    looked_at(page, f"{size}-4-delivered", "a test event delivered")

    [request] = receiver.received
    assert request.verified and request.status == 200
    assert next(iter(receiver.handled.values()))["type"] == "webhook.test"
    expect(delivery.locator("td[data-label=Event]")).to_contain_text(request.headers["webhook-id"])

    delivery.get_by_role("button", name="Resend").click()
    expect(page.locator("#webhook-notice")).to_have_text("Sent again, with the same webhook-id.")
    expect(delivery.locator("td[data-label=Status]")).to_have_text("Delivered · 2 tries")
    assert [r.headers["webhook-id"] for r in receiver.received] == [
        request.headers["webhook-id"]
    ] * 2
    assert len(receiver.handled) == 1
