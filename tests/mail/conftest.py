"""Mail tests: an app without a database, sending to a real SMTP server on 127.0.0.1."""

from __future__ import annotations

import pytest
from flask import Flask

from app import create_app
from app.config import TestConfig
from tests.mail.smtp import smtp_server  # noqa: F401  (the fixture, for this folder)


def mail_app(**overrides) -> Flask:
    """An app with these config overrides; the mail code needs no tables."""
    return create_app(type("MailConfig", (TestConfig,), overrides))


@pytest.fixture
def app(smtp_server) -> Flask:  # noqa: F811
    return mail_app(**smtp_server.config)


@pytest.fixture
def ctx(app):
    with app.app_context():
        yield
