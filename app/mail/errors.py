"""The two ways mail goes wrong: bad settings at start-up, and a send that fails."""

from __future__ import annotations

from app.config import ConfigError


class MailConfigError(ConfigError):
    """A MAIL_* setting is malformed; the message is one line naming the variable and the fix."""


class MailError(RuntimeError):
    """A message was not sent: the SMTP server refused it or could not be reached."""

    def __init__(self, message: str, *, to: str, subject: str, permanent: bool = False):
        super().__init__(message)
        self.to = to
        self.subject = subject
        # True when trying again cannot help (the address does not exist, say).
        self.permanent = permanent
