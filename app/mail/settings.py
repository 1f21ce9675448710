"""MAIL_* settings checked and normalised once, at start-up, then handed to Flask-Mailman."""

from __future__ import annotations

import ssl
from email.utils import parseaddr
from typing import Any

from flask import Flask

from app.extensions import mail
from app.mail.errors import MailConfigError

OUTBOX_BACKEND = "app.mail.outbox.OutboxEmailBackend"
# "smtp" means Flask-Mailman's SMTP backend with the server's certificate verified.
SMTP_BACKEND = "app.mail.smtp.VerifiedSmtpEmailBackend"
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def init_mail(app: Flask) -> None:
    """Check the MAIL_* settings, pick the backend, bind Flask-Mailman; MailConfigError if bad."""
    config = app.config
    config["MAIL_USE_TLS"] = _flag(config, "MAIL_USE_TLS")
    config["MAIL_USE_SSL"] = _flag(config, "MAIL_USE_SSL")
    if config["MAIL_USE_TLS"] and config["MAIL_USE_SSL"]:
        raise MailConfigError(
            "MAIL_USE_TLS and MAIL_USE_SSL are both on: set only one "
            "(MAIL_USE_SSL=1 for port 465, MAIL_USE_TLS=1 for STARTTLS on 587)."
        )
    config["MAIL_PORT"] = _port(config)
    config["MAIL_TIMEOUT"] = _timeout(config)
    config["MAIL_RETRY_DELAY"] = _amount(config, "MAIL_RETRY_DELAY", "seconds", 30.0, 3600)
    config["MAIL_RETRY_HOURS"] = _amount(config, "MAIL_RETRY_HOURS", "hours", 24.0, 24 * 14)
    config["MAIL_DEFAULT_SENDER"] = _sender(config)
    if config.get("MAIL_USERNAME") and not config.get("MAIL_PASSWORD"):
        # Flask-Mailman would silently skip the login and the server would refuse every message.
        raise MailConfigError(
            "MAIL_USERNAME is set but MAIL_PASSWORD is not: set both, or neither for an "
            "SMTP server that needs no login."
        )
    config["MAIL_CA_FILE"] = _ca_file(config)
    config["MAIL_BACKEND"] = _backend(config)
    mail.init_app(app)


def outbox_warning(config: dict[str, Any]) -> str | None:
    """A loud line for a deployment whose mail only reaches a folder: outside development
    (a database other than SQLite, or an https site), emails must reach people."""
    if config.get("MAIL_BACKEND") != OUTBOX_BACKEND or development(config):
        return None  # `make run`: the outbox is how a developer reads their links
    return (
        "MAIL_SERVER is not set: NO EMAIL LEAVES THIS SERVER. Sign-up links, password resets "
        f"and invitations are only written to {config.get('MAIL_OUTBOX_DIR')}. Set MAIL_SERVER "
        "(and MAIL_USE_TLS, MAIL_USERNAME, MAIL_PASSWORD) to send them."
    )


def development(config: dict[str, Any]) -> bool:
    """`make run` and its like: SQLite and plain http. Production is PostgreSQL behind TLS."""
    database = str(config.get("SQLALCHEMY_DATABASE_URI") or "")
    return database.startswith("sqlite") and config.get("PREFERRED_URL_SCHEME") != "https"


def base_url_warning(config: dict[str, Any]) -> str | None:
    """Outside development, emailed links need the site's real address."""
    if config.get("BASE_URL") or development(config):
        return None
    return (
        "BASE_URL is not set: links in emails point at http://127.0.0.1:5000. Set BASE_URL to "
        "the address people reach the site at, e.g. BASE_URL=https://numbers.example.com."
    )


def _ca_file(config: dict[str, Any]) -> str | None:
    value = str(config.get("MAIL_CA_FILE") or "").strip()
    if not value:
        return None
    try:
        ssl.create_default_context(cafile=value)
    except (OSError, ssl.SSLError) as error:
        raise MailConfigError(
            f"MAIL_CA_FILE={value!r} is not a readable PEM file of CA certificates ({error}): "
            "fix the path, or leave it unset to trust the system's CAs."
        ) from None
    return value


def _flag(config: dict[str, Any], name: str) -> bool:
    value = config.get(name)
    if value is None or isinstance(value, bool):
        return bool(value)
    text = str(value).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise MailConfigError(f"{name}={value!r} is not a yes/no value: set it to 1 or 0.")


def _port(config: dict[str, Any]) -> int:
    value = config.get("MAIL_PORT")
    if value is None or value == "":
        # The usual port for each kind of connection, so MAIL_USE_SSL=1 alone just works.
        return 465 if config["MAIL_USE_SSL"] else 587 if config["MAIL_USE_TLS"] else 25
    try:
        port = int(str(value).strip())
    except ValueError:
        port = 0
    if not 1 <= port <= 65535:
        raise MailConfigError(
            f"MAIL_PORT={value!r} is not a port number: set it to a whole number from 1 to 65535 "
            "(usually 25, 465 or 587), or leave it unset."
        )
    return port


def _timeout(config: dict[str, Any]) -> float:
    # smtplib waits forever by default; a worker must not hang on a dead server.
    return _amount(config, "MAIL_TIMEOUT", "seconds", 10.0, 300)


def _amount(config: dict[str, Any], name: str, unit: str, default: float, most: float) -> float:
    """A positive number of `unit` up to `most`; `default` when unset."""
    value = config.get(name)
    if value is None or value == "":
        return default
    try:
        amount = float(str(value).strip())
    except ValueError:
        amount = 0.0
    if not 0 < amount <= most:
        raise MailConfigError(
            f"{name}={value!r} is not a number of {unit}: set it to a number from 1 to "
            f"{most:g}, or leave it unset for {default:g}."
        )
    return amount


def _sender(config: dict[str, Any]) -> str:
    value = str(config.get("MAIL_DEFAULT_SENDER") or "").strip()
    _, address = parseaddr(value)
    if "@" not in address or "\n" in value or "\r" in value:
        raise MailConfigError(
            f"MAIL_DEFAULT_SENDER={value!r} is not an email address: set it like "
            "'Caller ID desk <no-reply@example.com>'."
        )
    return value


def _backend(config: dict[str, Any]) -> str:
    """MAIL_BACKEND as given; else SMTP when MAIL_SERVER is set, else the local outbox folder."""
    name = config.get("MAIL_BACKEND") or ("smtp" if config.get("MAIL_SERVER") else OUTBOX_BACKEND)
    smtp = name in ("smtp", SMTP_BACKEND)
    if name == "smtp":
        name = SMTP_BACKEND
    try:
        mail.import_backend(name)
    except (ImportError, AttributeError):
        raise MailConfigError(
            f"MAIL_BACKEND={name!r} cannot be imported: use smtp, locmem, or a dotted path to an "
            "email backend class, or leave it unset."
        ) from None
    if smtp and not config.get("MAIL_SERVER"):
        raise MailConfigError(
            "MAIL_BACKEND is smtp but MAIL_SERVER is not set: set MAIL_SERVER to the SMTP host, "
            "or leave MAIL_BACKEND unset to write mail to the outbox folder."
        )
    return name
