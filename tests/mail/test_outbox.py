"""Without MAIL_SERVER each message is a .eml file in the outbox folder plus one log line."""

from __future__ import annotations

import email
import email.policy
import logging
import re
from datetime import UTC, datetime

import pytest

from app.extensions import mail
from app.mail import MailError, messages
from app.mail.outbox import OutboxEmailBackend, first_link, slug
from app.mail.sending import send
from tests.fakes.smtp import body, links
from tests.mail.helpers import mail_app

URL = "https://desk.example.com/reset/tok_123?a=1&b=2"
WHEN = datetime(2026, 11, 26, 14, 0, tzinfo=UTC)


@pytest.fixture
def outbox(tmp_path):
    return tmp_path / "outbox"  # not made yet: the backend makes it


@pytest.fixture
def app(outbox):
    # MAIL_BACKEND unset as in a fresh checkout (TestConfig picks locmem), and no MAIL_SERVER.
    return mail_app(MAIL_BACKEND=None, MAIL_SERVER=None, MAIL_OUTBOX_DIR=str(outbox))


def test_without_mail_server_the_outbox_backend_is_chosen(app):
    assert app.config["MAIL_BACKEND"] == "app.mail.outbox.OutboxEmailBackend"
    with app.app_context():
        assert isinstance(mail.get_connection(), OutboxEmailBackend)


def test_each_message_is_a_readable_eml_file_named_by_time_and_subject(app, outbox):
    with app.app_context():
        send(messages.password_reset("ada@example.com", "Ada", URL, WHEN))

    [path] = outbox.iterdir()
    assert re.fullmatch(r"\d{8}T\d{6}\.\d{6}Z-reset-your-password\.eml", path.name)
    message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
    assert message["To"] == "ada@example.com"
    assert message["Subject"] == "Reset your password"
    assert links(message).text == [URL]
    assert links(message).html == [URL, URL]
    # Readable as it is in a text editor: the link is written plainly, not encoded.
    assert URL.encode() in path.read_bytes()
    assert "expires in an hour" in body(message, "plain")


def test_each_message_logs_one_line_with_recipient_subject_and_link(app, outbox, caplog):
    caplog.set_level(logging.INFO, logger="app.mail")
    with app.app_context():
        send(messages.email_verification("ada@example.com", "Ada", URL))

    [record] = [r for r in caplog.records if r.name.startswith("app.mail")]
    line = record.getMessage()
    assert record.levelno == logging.INFO
    assert "\n" not in line
    assert "ada@example.com" in line
    assert "'Confirm your email address'" in line
    assert f"link {URL} " in line
    assert str(next(outbox.iterdir())) in line


def test_two_messages_with_one_subject_make_two_files(app, outbox):
    with app.app_context():
        send(messages.email_verification("ada@example.com", "Ada", URL))
        send(messages.email_verification("bob@example.com", "Bob", URL))

    paths = sorted(outbox.iterdir())
    assert len(paths) == 2
    recipients = {
        email.message_from_bytes(p.read_bytes(), policy=email.policy.default)["To"] for p in paths
    }
    assert recipients == {"ada@example.com", "bob@example.com"}


def test_an_unwritable_outbox_is_a_mail_error(tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    app = mail_app(MAIL_BACKEND=None, MAIL_SERVER=None, MAIL_OUTBOX_DIR=str(blocker / "outbox"))

    with app.app_context(), pytest.raises(MailError):
        send(messages.email_verification("ada@example.com", "Ada", URL))


@pytest.mark.parametrize(
    ("text", "link"),
    [
        ("Open https://a.example/x?y=1&z=2.\nThen", "https://a.example/x?y=1&z=2"),
        ("no link here", None),
        ("first http://a.example/1 then https://b.example/2", "http://a.example/1"),
    ],
)
def test_first_link(text, link):
    assert first_link(text) == link


def test_slug():
    assert slug("Your trial number +1 415-555-0101 ends tomorrow") == (
        "your-trial-number-1-415-555-0101-ends-tomorrow"
    )
    assert slug("!!!") == "message"
    assert len(slug("x" * 200)) == 60
