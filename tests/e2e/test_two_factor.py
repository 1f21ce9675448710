"""End to end in Chromium: two-factor sign-in set up from the account page (the QR code and its
key, a code from a real TOTP generator, the recovery codes), then a sign-in that asks for the
code; every step axe-clean."""

from __future__ import annotations

import time
from pathlib import Path

import pyotp
import pytest
from playwright.sync_api import Page, expect

from tests.e2e.axe import assert_no_violations, with_axe
from tests.e2e.helpers import sign_in
from tests.factories import PASSWORD

SCREENS = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}
SHOTS = Path("/tmp/two-factor-shots")


def looked_at(page: Page, state: str) -> None:
    """No axe violation, nothing wider than the screen, and a screenshot to look at."""
    assert_no_violations(page, state)
    wide = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert wide <= 0, f"{state}: {wide}px wider than the screen"
    SHOTS.mkdir(parents=True, exist_ok=True)
    name = f"{page.viewport_size['width']}-{state.replace(' ', '-').replace(':', '')}"
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


@pytest.mark.parametrize("screen", list(SCREENS))
def test_an_owner_sets_up_two_factor_and_signs_in_with_a_code(
    server, people, page: Page, browser, screen
):
    with_axe(page.context)
    page.set_viewport_size(SCREENS[screen])
    owner = people.member("free")
    sign_in(page, server.url, owner.email)
    page.goto(f"{server.url}/account")
    expect(page.locator("#two-factor-state")).to_have_attribute("data-state", "off")
    looked_at(page, "account")
    page.get_by_role("link", name="Set up two-factor sign-in").click()
    looked_at(page, "two-factor off")
    page.get_by_role("button", name="Set up two-factor sign-in").click()

    expect(page.locator("#qr-code svg")).to_be_visible()
    looked_at(page, "two-factor setup: QR code")
    secret = page.locator("#totp-secret").input_value()
    authenticator = pyotp.TOTP(secret)
    page.get_by_role("textbox", name="Code", exact=True).fill(authenticator.now())
    page.get_by_role("button", name="Turn on two-factor sign-in").click()

    expect(page.get_by_role("heading", name="Your recovery codes")).to_be_visible()
    expect(page.locator("#recovery-code-list li")).to_have_count(10)
    looked_at(page, "recovery codes shown once")
    page.get_by_role("link", name="I have saved them").click()
    expect(page.locator("#two-factor-state")).to_have_attribute("data-state", "on")
    page.get_by_role("link", name="Manage two-factor sign-in").click()
    looked_at(page, "two-factor on")

    # Another browser: the password, then the code (the next step's: this one's was used).
    other = with_axe(browser.new_context(locale="en-US", viewport=SCREENS[screen]))
    try:
        tab = other.new_page()
        tab.goto(f"{server.url}/signin")
        tab.get_by_label("Email").fill(owner.email)
        tab.get_by_label("Password").fill(PASSWORD)
        tab.get_by_role("button", name="Sign in").click()
        expect(tab.get_by_role("heading", name="Enter your code")).to_be_visible()
        looked_at(tab, "sign-in code step")
        code_field = tab.get_by_role("textbox", name="Code", exact=True)
        code_field.fill("000000" if authenticator.now() != "000000" else "111111")
        tab.get_by_role("button", name="Sign in").click()
        expect(tab.locator("#code-error")).to_be_visible()
        looked_at(tab, "sign-in wrong code")
        code_field.fill(authenticator.at(time.time() + 30))
        tab.get_by_role("button", name="Sign in").click()
        expect(tab.get_by_role("heading", name="Phone numbers")).to_be_visible()
        tab.goto(f"{server.url}/account")
        expect(tab.locator("#sessions-table tbody tr")).to_have_count(2)
        looked_at(tab, "account with two sessions")
    finally:
        other.close()
