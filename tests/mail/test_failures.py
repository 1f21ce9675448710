"""A send that fails raises MailError, says why in one line, and logs it."""

from __future__ import annotations

import logging
import socket
from datetime import UTC, datetime

import pytest
from flask_mailman.backends.base import BaseEmailBackend

from app.mail import MailError, messages
from app.mail.sending import send
from tests.fakes.smtp import HOST, SmtpServer
from tests.mail.helpers import mail_app

URL = "https://desk.example.com/reset/tok"
WHEN = datetime(2026, 11, 26, 14, 0, tzinfo=UTC)


@pytest.fixture
def closed_port():
    """A port bound on 127.0.0.1 but not listening: a connection to it is refused at once."""
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        yield sock.getsockname()[1]


def test_unreachable_server_raises_mail_error_and_logs(closed_port, caplog):
    app = mail_app(MAIL_BACKEND="smtp", MAIL_SERVER=HOST, MAIL_PORT=closed_port, MAIL_TIMEOUT=2)

    with app.app_context(), pytest.raises(MailError) as raised:
        send(messages.password_reset("ada@example.com", "Ada", URL, WHEN))

    error = raised.value
    assert (error.to, error.subject) == ("ada@example.com", "Reset your password")
    assert f"{HOST}:{closed_port} could not be reached" in str(error)
    assert "\n" not in str(error)
    assert isinstance(error.__cause__, OSError)
    [record] = [r for r in caplog.records if r.name.startswith("app.mail")]
    assert record.levelno == logging.ERROR
    assert "ada@example.com" in record.getMessage()
    assert "could not be reached" in record.getMessage()


def test_refused_recipient_raises_mail_error_with_the_servers_answer(caplog):
    with SmtpServer(refuse={"gone@example.com"}) as smtp:
        app = mail_app(**smtp.config)
        with app.app_context():
            with pytest.raises(MailError, match="550 5.1.1 No such mailbox here"):
                send(messages.email_verification("gone@example.com", "Gone", URL))
            # The connection was closed cleanly after the refusal: the next message goes out.
            send(messages.email_verification("ada@example.com", "Ada", URL))

        assert [envelope.rcpt_tos for envelope in smtp.envelopes] == [["ada@example.com"]]
        assert smtp.quits == 2  # each connection said goodbye, the refused one too
    assert any("550" in r.getMessage() for r in caplog.records if r.levelno == logging.ERROR)


class DropEmailBackend(BaseEmailBackend):
    """Accepts every message and sends none, as a backend failing silently would."""

    def send_messages(self, email_messages):
        return 0


def test_a_backend_that_sends_nothing_is_a_failure():
    app = mail_app(MAIL_BACKEND=f"{__name__}.DropEmailBackend")

    with app.app_context(), pytest.raises(MailError, match="sent nothing"):
        send(messages.email_verification("ada@example.com", "Ada", URL))
