"""Email: Flask-Mailman over SMTP, or a local outbox folder when no SMTP server is configured."""

from app.mail.errors import MailConfigError, MailError
from app.mail.settings import init_mail

__all__ = ["MailConfigError", "MailError", "init_mail"]
