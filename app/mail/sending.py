"""Render an email's text and HTML parts from templates/email/ and send it now, over SMTP.

Only the mail job (app.mail.outgoing) calls this; everything else queues.
"""

from __future__ import annotations

import logging
import smtplib
import ssl
from dataclasses import dataclass, field
from datetime import UTC, datetime

import phonenumbers
from flask import current_app
from flask_mailman import EmailMultiAlternatives

from app.extensions import mail
from app.mail.errors import MailError
from app.text import one_line
from app.timefmt import readable

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Email:
    """One email, ready to render: templates/email/<template>.txt and .html with `context`."""

    to: str
    subject: str
    template: str
    context: dict = field(default_factory=dict)


def send(email: Email) -> None:
    """Send the email's text part with its HTML alternative; MailError on failure."""
    to, subject = email.to, one_line(email.subject)
    context = {"subject": subject, **email.context}
    text = _render(f"email/{email.template}.txt", context)
    html = _render(f"email/{email.template}.html", context)
    message = EmailMultiAlternatives(subject, text, to=[to])
    message.attach_alternative(html, "text/html")
    try:
        # The context manager closes the connection even when the server refuses the message.
        with mail.get_connection() as connection:
            sent = connection.send_messages([message])
    except (smtplib.SMTPException, OSError, ValueError) as error:
        raise _failed(to, subject, _reason(error), permanent=_permanent(error)) from error
    if sent != 1:
        # A backend that drops a message silently would otherwise look like success.
        raise _failed(to, subject, "the mail backend sent nothing")


def _render(name: str, context: dict) -> str:
    # Straight from the Jinja environment, without the page context processors: those read the
    # request and session, and mail is also sent from the command line (trial expiry), where
    # there is none. Autoescaping still follows the file name: .html escaped, .txt not.
    return current_app.jinja_env.get_template(name).render(context)


def _failed(to: str, subject: str, reason: str, *, permanent: bool = False) -> MailError:
    log.error("mail to %s: %r not sent: %s", to, subject, reason)
    return MailError(
        f"Could not send {subject!r} to {to}: {reason}", to=to, subject=subject, permanent=permanent
    )


def _permanent(error: Exception) -> bool:
    """Whether trying again cannot help: the server refused every recipient for good (5xx),
    or the message itself is malformed. A refused login or sender is a setting to fix, and a
    server that cannot be reached may come back: those are tried again."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _text in error.recipients.values())
    return isinstance(error, ValueError)


def _reason(error: Exception) -> str:
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        answers = [f"{code} {_text(text)}" for code, text in error.recipients.values()]
        return f"the SMTP server refused the recipient ({'; '.join(answers)})"
    if isinstance(error, smtplib.SMTPResponseException):
        return f"the SMTP server refused the message ({error.smtp_code} {_text(error.smtp_error)})"
    if isinstance(error, smtplib.SMTPException):
        return f"the SMTP conversation failed ({error})"
    if isinstance(error, ssl.SSLCertVerificationError):
        return (
            f"the SMTP server's certificate was not trusted ({error.verify_message}): give "
            "its CA in MAIL_CA_FILE, or fix MAIL_SERVER to the name on its certificate"
        )
    if isinstance(error, OSError):
        server = f"{current_app.config.get('MAIL_SERVER')}:{current_app.config.get('MAIL_PORT')}"
        return f"the SMTP server {server} could not be reached ({error.strerror or error})"
    return f"the message is malformed ({error})"


def _text(answer: bytes | str) -> str:
    return answer.decode(errors="replace") if isinstance(answer, bytes) else str(answer)


def utc_time(moment: datetime) -> str:
    """26 Nov 2026, 14:00 UTC (the pages' format, app.timefmt); a naive time is taken to be UTC
    already, as the database keeps it."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return readable(moment)


def display_number(e164: str) -> str:
    """+14155550101 → +1 415-555-0101 (international: the reader may be anywhere)."""
    try:
        number = phonenumbers.parse(e164)
    except phonenumbers.NumberParseException:
        return e164
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
