"""Fixtures: a fresh database per test (SQLite file, or PostgreSQL via TEST_DATABASE_URL)."""

from __future__ import annotations

from collections.abc import Iterator

from tests import workers

workers.isolate_database()  # before the app's settings are imported

import pytest  # noqa: E402
from flask import Flask  # noqa: E402
from flask.testing import FlaskClient  # noqa: E402

from tests.factories import Factory  # noqa: E402
from tests.fakes.smtp import SmtpServer  # noqa: E402
from tests.support import build_app, reuse_url_builders, teardown_app  # noqa: E402

reuse_url_builders()


@pytest.fixture
def app(tmp_path) -> Iterator[Flask]:
    app = build_app(tmp_path)
    yield app
    teardown_app(app)


@pytest.fixture
def client(app) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def factory(app) -> Factory:
    return Factory(app)


@pytest.fixture
def smtp_server() -> Iterator[SmtpServer]:
    """A real SMTP server on 127.0.0.1 (aiosmtpd), stopped after the test."""
    with SmtpServer() as server:
        yield server


@pytest.fixture
def release_at_once(app) -> Flask:
    """RELEASE_GRACE_MINUTES=0 for this test: a release is done at once, as it was before
    releases waited out a grace window (for tests about the provider's release itself)."""
    app.config["RELEASE_GRACE_MINUTES"] = 0
    return app
