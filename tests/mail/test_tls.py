"""STARTTLS verifies the mail server's certificate (the system's CAs, or MAIL_CA_FILE's), and
the login happens only over TLS: against a real SMTP server on 127.0.0.1 with a certificate
made in the test."""

from __future__ import annotations

import logging
import ssl

import pytest

from app.mail import MailConfigError, MailError, messages
from app.mail.sending import send
from tests.fakes.smtp import HOST, SmtpServer
from tests.fakes.tls import self_signed
from tests.mail.helpers import mail_app

URL = "https://desk.example.com/verify/tok"
LOGIN = ("desk@example.com", "app-password")


@pytest.fixture
def certificate(tmp_path):
    return self_signed(tmp_path)


@pytest.fixture
def server(certificate):
    with SmtpServer(tls=certificate, login=LOGIN) as smtp:
        yield smtp


def tls_app(server, **overrides):
    settings = {
        **server.config,
        "MAIL_USE_TLS": True,
        "MAIL_USERNAME": LOGIN[0],
        "MAIL_PASSWORD": LOGIN[1],
        "MAIL_TIMEOUT": 5,
    }
    return mail_app(**{**settings, **overrides})


def test_starttls_with_the_servers_ca_sends_and_logs_in_over_tls(server, certificate):
    app = tls_app(server, MAIL_CA_FILE=str(certificate[0]))

    with app.app_context():
        send(messages.email_verification("ada@example.com", "Ada", URL))

    [envelope] = server.envelopes
    assert (envelope.rcpt_tos, envelope.tls, envelope.login) == (
        ["ada@example.com"],
        True,
        LOGIN[0],
    )


def test_a_certificate_nobody_vouches_for_is_refused_before_the_password_is_sent(server, caplog):
    app = tls_app(server)  # the system's CAs only: the test's certificate is unknown there

    with app.app_context(), pytest.raises(MailError) as raised:
        send(messages.email_verification("ada@example.com", "Ada", URL))

    assert "certificate was not trusted" in str(raised.value)
    assert "MAIL_CA_FILE" in str(raised.value)
    assert isinstance(raised.value.__cause__, ssl.SSLCertVerificationError)
    assert server.envelopes == []
    assert any(
        "not trusted" in r.getMessage() for r in caplog.records if r.levelno == logging.ERROR
    )


def test_a_certificate_for_another_name_is_refused(tmp_path):
    # A certificate the app trusts, but made out to another host than MAIL_SERVER.
    other = self_signed(tmp_path, "other", hosts=("mail.example.com",))
    with SmtpServer(tls=other, login=LOGIN) as smtp:
        app = tls_app(smtp, MAIL_CA_FILE=str(other[0]))
        with app.app_context(), pytest.raises(MailError, match="not trusted"):
            send(messages.email_verification("ada@example.com", "Ada", URL))
        assert smtp.envelopes == []


def test_a_wrong_password_is_refused_over_tls(server, certificate):
    app = tls_app(server, MAIL_CA_FILE=str(certificate[0]), MAIL_PASSWORD="wrong")

    with app.app_context(), pytest.raises(MailError, match="535"):
        send(messages.email_verification("ada@example.com", "Ada", URL))
    assert server.envelopes == []


def test_a_ca_file_that_cannot_be_read_stops_start_up(tmp_path):
    (tmp_path / "junk.pem").write_text("not a certificate")

    for path in (tmp_path / "missing.pem", tmp_path / "junk.pem"):
        with pytest.raises(MailConfigError, match="MAIL_CA_FILE="):
            mail_app(MAIL_BACKEND="smtp", MAIL_SERVER=HOST, MAIL_CA_FILE=str(path))
