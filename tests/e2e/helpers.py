"""Browser-test helpers."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.factories import PASSWORD
from tests.fakes.smtp import SmtpServer, links
from tests.support import wait_until


def sign_in(page: Page, base: str, email: str) -> None:
    page.goto(f"{base}/signin")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Phone numbers")).to_be_visible()


def emailed_link(mailbox: SmtpServer, to: str, subject: str) -> str:
    """The first link in the newest email to `to` whose subject has `subject`, as the test
    SMTP server received it (waits for it to arrive)."""
    found: list[str] = []

    def arrived() -> bool:
        for message in reversed(mailbox.messages):
            if message["To"] == to and subject in message["Subject"]:
                found.append(links(message).text[0])
                return True
        return False

    wait_until(arrived, timeout=10)
    return found[0]


def note_console(message, problems: list[str]) -> None:
    """A script's error logged in the console, kept in `problems`."""
    # 4xx answers the pages expect (a refused buy) log "Failed to load resource"; ignore those.
    if message.type == "error" and "Failed to load resource" not in message.text:
        problems.append(message.text)
