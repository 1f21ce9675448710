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


# A campaign journey's scene: ten area codes in the pool, five its destinations lack.
POOL_AREAS = ["415", "212", "213", "305", "404", "702", "214", "713", "602", "801"]
MISSING = ["303", "312", "617", "206", "512"]


def create_campaign_with_pool(page: Page, name: str, numbers: int) -> None:
    """On the Campaigns page: a new campaign, every offered number ticked into its pool."""
    page.get_by_label("Name").fill(name)
    page.get_by_role("button", name="Create campaign").click()
    expect(page.get_by_role("heading", name=name)).to_be_visible()
    boxes = page.locator("#pool-add input[name=ids]")
    expect(boxes).to_have_count(numbers)
    for index in range(numbers):
        boxes.nth(index).check()
    page.get_by_role("button", name="Add to pool").click()
    expect(page.locator("#pool-table tbody tr")).to_have_count(numbers)


def count_coverage_of_200(page: Page, tmp_path) -> None:
    """Upload 200 destinations, 150 in the pool's area codes and 50 in five it lacks."""
    rows = ["number"]
    rows += [f"+1{POOL_AREAS[i % 10]}555{1000 + i:04d}" for i in range(150)]
    rows += [f"+1{MISSING[i % 5]}555{2000 + i:04d}" for i in range(50)]
    csv = tmp_path / "destinations.csv"
    csv.write_text("\n".join(rows) + "\n")
    page.get_by_label("CSV file").set_input_files(str(csv))
    page.get_by_role("button", name="Count coverage").click()
    expect(page.locator("#coverage-share")).to_contain_text("75% of 200 destinations")
