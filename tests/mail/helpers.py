"""Mail test helpers: an app with config overrides, without a database."""

from __future__ import annotations

from flask import Flask

from app import create_app
from app.config import TestConfig


def mail_app(**overrides) -> Flask:
    """An app with these config overrides; the mail code needs no tables."""
    return create_app(type("MailConfig", (TestConfig,), overrides))
