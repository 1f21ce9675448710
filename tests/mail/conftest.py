"""Mail tests: an app without a database, sending to a real SMTP server on 127.0.0.1."""

from __future__ import annotations

import pytest
from flask import Flask

from tests.mail.helpers import mail_app


@pytest.fixture
def app(smtp_server) -> Flask:
    return mail_app(**smtp_server.config)


@pytest.fixture
def ctx(app):
    with app.app_context():
        yield
