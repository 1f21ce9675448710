"""The default backend without an SMTP server: each message to a .eml file and one log line.

A developer running the app locally opens instance/outbox/*.eml (any mail client, or a text
editor) or reads the log line, and follows the link to verify, reset or accept.
"""

from __future__ import annotations

import logging
import re
from datetime import UTC, datetime
from pathlib import Path

from flask import current_app
from flask_mailman.backends.base import BaseEmailBackend

log = logging.getLogger(__name__)
_LINK = re.compile(r"https?://[^\s<>\"']+")
_SLUG_DROP = re.compile(r"[^a-z0-9]+")


class OutboxEmailBackend(BaseEmailBackend):
    """Writes each message to MAIL_OUTBOX_DIR as <UTC time>-<subject slug>.eml."""

    def __init__(self, outbox_dir: str | Path | None = None, **kwargs):
        super().__init__(**kwargs)
        self.outbox_dir = Path(outbox_dir or current_app.config["MAIL_OUTBOX_DIR"])

    def send_messages(self, email_messages) -> int:
        sent = 0
        for message in email_messages:
            try:
                path = self._write(message)
            except OSError:
                if not self.fail_silently:
                    raise
                continue
            log.info(
                "mail to %s: %r, link %s (saved as %s)",
                ", ".join(message.recipients()),
                message.subject,
                first_link(message.body) or "none",
                path,
            )
            sent += 1
        return sent

    def _write(self, message) -> Path:
        data = message.message().as_bytes()  # builds the headers first: a bad one fails here
        self.outbox_dir.mkdir(parents=True, exist_ok=True)
        stem = f"{datetime.now(UTC):%Y%m%dT%H%M%S.%fZ}-{slug(message.subject)}"
        for attempt in range(1, 100):
            path = self.outbox_dir / (stem if attempt == 1 else f"{stem}-{attempt}")
            path = path.with_name(path.name + ".eml")
            try:
                # "x": two messages in the same microsecond never overwrite each other.
                with path.open("xb") as file:
                    file.write(data)
            except FileExistsError:
                continue
            return path
        raise FileExistsError(f"no free outbox file name for {stem}")


def first_link(text: str) -> str | None:
    """The first http(s) URL in a text body, without sentence punctuation after it."""
    match = _LINK.search(text or "")
    return match.group(0).rstrip(".,;:!?)") if match else None


def slug(subject: str) -> str:
    """'Reset your password' → 'reset-your-password'; at most 60 characters, never empty."""
    return _SLUG_DROP.sub("-", (subject or "").lower()).strip("-")[:60].rstrip("-") or "message"
