"""Browser fixtures: one live server and one Chromium per module, a fresh context per test."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.helpers import note_console
from tests.e2e.live import chromium, live_server
from tests.factories import Factory
from tests.fakes.smtp import SmtpServer

# Assertions wait as long as actions do: a busy 2-core CI machine can take a while to answer
# an htmx request, and a slow answer is not a wrong one.
expect.set_options(timeout=10_000)


@pytest.fixture(scope="module")
def mailbox():
    """The SMTP server the live app sends to; tests read the emails it received."""
    with SmtpServer() as smtp:
        yield smtp


@pytest.fixture(scope="module")
def server(tmp_path_factory, mailbox):
    with live_server(tmp_path_factory.mktemp("live"), **mailbox.config) as live:
        yield live


@pytest.fixture(scope="module")
def browser():
    try:
        with chromium() as launched:
            yield launched
    except RuntimeError as error:  # Chromium missing: fail loudly, never skip
        pytest.fail(str(error), pytrace=False)


@pytest.fixture
def context(browser):
    context = browser.new_context(locale="en-US", timezone_id="America/Los_Angeles")
    context.set_default_timeout(10_000)
    yield context
    context.close()


@pytest.fixture
def page(context):
    """A tab that fails the test on any script error or Content-Security-Policy violation."""
    page = context.new_page()
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.on("console", lambda message: note_console(message, problems))
    yield page
    assert not problems, problems


@pytest.fixture(scope="module")
def people(server) -> Factory:
    """Teams and users made through the real services, in the live server's database."""
    return Factory(server.app)
