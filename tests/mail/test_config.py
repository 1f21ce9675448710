"""MAIL_* settings: environment text parsed once; a malformed one stops start-up with one line."""

from __future__ import annotations

import logging

import pytest

from app.mail import MailConfigError
from tests.mail.helpers import mail_app


@pytest.mark.parametrize(
    ("overrides", "variable"),
    [
        ({"MAIL_PORT": "abc"}, "MAIL_PORT"),
        ({"MAIL_PORT": "70000"}, "MAIL_PORT"),
        ({"MAIL_PORT": "0"}, "MAIL_PORT"),
        ({"MAIL_TIMEOUT": "soon"}, "MAIL_TIMEOUT"),
        ({"MAIL_TIMEOUT": "-1"}, "MAIL_TIMEOUT"),
        ({"MAIL_RETRY_DELAY": "0"}, "MAIL_RETRY_DELAY"),
        ({"MAIL_RETRY_DELAY": "soon"}, "MAIL_RETRY_DELAY"),
        ({"MAIL_RETRY_HOURS": "1000"}, "MAIL_RETRY_HOURS"),
        ({"MAIL_USE_TLS": "maybe"}, "MAIL_USE_TLS"),
        ({"MAIL_USE_SSL": "2"}, "MAIL_USE_SSL"),
        ({"MAIL_USE_TLS": "1", "MAIL_USE_SSL": "true"}, "MAIL_USE_SSL"),
        ({"MAIL_DEFAULT_SENDER": "nobody"}, "MAIL_DEFAULT_SENDER"),
        ({"MAIL_DEFAULT_SENDER": ""}, "MAIL_DEFAULT_SENDER"),
        ({"MAIL_USERNAME": "apikey", "MAIL_PASSWORD": None}, "MAIL_PASSWORD"),
        ({"MAIL_BACKEND": "carrier.pigeon"}, "MAIL_BACKEND"),
        ({"MAIL_BACKEND": "smtp", "MAIL_SERVER": None}, "MAIL_SERVER"),
    ],
)
def test_malformed_setting_fails_start_up_with_one_line_naming_it(overrides, variable):
    with pytest.raises(MailConfigError) as raised:
        mail_app(**overrides)

    message = str(raised.value)
    assert variable in message
    assert "\n" not in message
    assert ": set" in message or ": use" in message  # says what to do, not only what is wrong


def test_environment_text_becomes_typed_settings():
    app = mail_app(
        MAIL_BACKEND=None,
        MAIL_SERVER="smtp.example.com",
        MAIL_PORT=" 2525 ",
        MAIL_USE_TLS="yes",
        MAIL_USE_SSL="0",
        MAIL_TIMEOUT="2.5",
        MAIL_USERNAME="apikey",
        MAIL_PASSWORD="secret",
    )

    state = app.extensions["mailman"]
    # "smtp" is Flask-Mailman's SMTP backend with the server's certificate verified.
    assert (state.backend, state.server, state.port) == (
        "app.mail.smtp.VerifiedSmtpEmailBackend",
        "smtp.example.com",
        2525,
    )
    assert (state.use_tls, state.use_ssl, state.timeout) == (True, False, 2.5)
    assert (state.username, state.password) == ("apikey", "secret")
    assert state.default_sender == "Caller ID desk <no-reply@localhost>"


@pytest.mark.parametrize(
    ("overrides", "port"),
    [({}, 25), ({"MAIL_USE_TLS": "1"}, 587), ({"MAIL_USE_SSL": "on"}, 465)],
)
def test_port_defaults_to_the_usual_one_for_the_connection(overrides, port):
    app = mail_app(MAIL_SERVER="smtp.example.com", MAIL_PORT=None, **overrides)

    assert app.config["MAIL_PORT"] == port


def test_tests_keep_mail_in_memory_even_with_a_mail_server_in_the_environment():
    app = mail_app(MAIL_SERVER="smtp.example.com")

    assert app.config["MAIL_BACKEND"] == "locmem"


def test_outside_development_mail_only_to_the_outbox_is_a_loud_warning(tmp_path, caplog):
    from app.mail.settings import outbox_warning

    production = {
        "MAIL_BACKEND": None,
        "MAIL_SERVER": None,
        "MAIL_OUTBOX_DIR": str(tmp_path / "outbox"),
        "PREFERRED_URL_SCHEME": "https",
    }
    with caplog.at_level(logging.WARNING):
        app = mail_app(**production)
    assert app.config["MAIL_BACKEND"] == "app.mail.outbox.OutboxEmailBackend"
    [warning] = [r for r in caplog.records if "MAIL_SERVER is not set" in r.getMessage()]
    assert warning.levelno == logging.WARNING
    assert "NO EMAIL LEAVES THIS SERVER" in warning.getMessage()
    assert str(tmp_path / "outbox") in warning.getMessage()
    # On PostgreSQL too; not for `make run` (SQLite, http), nor with a mail server.
    postgres = {**app.config, "PREFERRED_URL_SCHEME": "http"}
    postgres["SQLALCHEMY_DATABASE_URI"] = "postgresql+psycopg://db/app"
    assert outbox_warning(postgres) is not None
    assert outbox_warning({**postgres, "SQLALCHEMY_DATABASE_URI": "sqlite:///x.db"}) is None
    assert outbox_warning({**app.config, "MAIL_BACKEND": "smtp"}) is None


def test_outside_development_links_without_base_url_are_a_warning():
    from app.mail.settings import base_url_warning

    production = {"SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://db/app", "BASE_URL": None}
    assert "BASE_URL is not set" in base_url_warning(production)
    assert base_url_warning({**production, "BASE_URL": "https://numbers.example.com"}) is None
    assert base_url_warning({**production, "SQLALCHEMY_DATABASE_URI": "sqlite:///x.db"}) is None
