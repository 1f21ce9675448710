"""End to end in Chromium: two-factor sign-in set up from the account page (the QR code and its
key, a code from a real TOTP generator, the recovery codes), then a sign-in that asks for the
code; every step axe-clean."""

from __future__ import annotations

import time

import pyotp
from playwright.sync_api import Page, expect

from tests.e2e.axe import assert_no_violations, with_axe
from tests.e2e.helpers import sign_in
from tests.factories import PASSWORD


def test_an_owner_sets_up_two_factor_and_signs_in_with_a_code(server, people, page: Page, browser):
    with_axe(page.context)
    owner = people.member("free")
    sign_in(page, server.url, owner.email)
    page.goto(f"{server.url}/account")
    expect(page.locator("#two-factor-state")).to_have_attribute("data-state", "off")
    page.get_by_role("link", name="Set up two-factor sign-in").click()
    assert_no_violations(page, "two-factor off")
    page.get_by_role("button", name="Set up two-factor sign-in").click()

    expect(page.locator("#qr-code svg")).to_be_visible()
    assert_no_violations(page, "two-factor setup: QR code")
    secret = page.locator("#totp-secret").input_value()
    authenticator = pyotp.TOTP(secret)
    page.get_by_role("textbox", name="Code", exact=True).fill(authenticator.now())
    page.get_by_role("button", name="Turn on two-factor sign-in").click()

    expect(page.get_by_role("heading", name="Your recovery codes")).to_be_visible()
    expect(page.locator("#recovery-code-list li")).to_have_count(10)
    assert_no_violations(page, "recovery codes shown once")
    page.get_by_role("link", name="I have saved them").click()
    expect(page.locator("#two-factor-state")).to_have_attribute("data-state", "on")

    # Another browser: the password, then the code (the next step's: this one's was used).
    other = with_axe(browser.new_context(locale="en-US"))
    try:
        tab = other.new_page()
        tab.goto(f"{server.url}/signin")
        tab.get_by_label("Email").fill(owner.email)
        tab.get_by_label("Password").fill(PASSWORD)
        tab.get_by_role("button", name="Sign in").click()
        expect(tab.get_by_role("heading", name="Enter your code")).to_be_visible()
        assert_no_violations(tab, "sign-in: code step")
        code_field = tab.get_by_role("textbox", name="Code", exact=True)
        code_field.fill("000000" if authenticator.now() != "000000" else "111111")
        tab.get_by_role("button", name="Sign in").click()
        expect(tab.locator("#code-error")).to_be_visible()
        assert_no_violations(tab, "sign-in: wrong code")
        code_field.fill(authenticator.at(time.time() + 30))
        tab.get_by_role("button", name="Sign in").click()
        expect(tab.get_by_role("heading", name="Phone numbers")).to_be_visible()
    finally:
        other.close()
