"""Fixtures: a fresh database per test (SQLite file, or PostgreSQL via TEST_DATABASE_URL)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from flask import Flask
from flask.testing import FlaskClient

from app import accounts, create_app
from app.config import TestConfig
from app.extensions import db
from app.models import Team

TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL")


def build_app(tmp_path, **overrides) -> Flask:
    """An app on a fresh, empty schema; overrides are config values."""
    settings = {"SQLALCHEMY_DATABASE_URI": TEST_DATABASE_URL or f"sqlite:///{tmp_path}/test.db"}
    config = type("Config", (TestConfig,), {**settings, **overrides})
    app = create_app(config)
    with app.app_context():
        db.drop_all()  # PostgreSQL is shared between tests: start from nothing
        db.create_all()
    return app


def teardown_app(app: Flask) -> None:
    with app.app_context():
        db.session.remove()
        db.drop_all()
        db.engine.dispose()


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


@dataclass
class Member:
    """A user in a team, with a live API token."""

    team_id: str
    user_id: str
    email: str
    token: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


class Factory:
    """Small helpers that create rows through the real services."""

    def __init__(self, app: Flask):
        self.app = app
        self._count = 0

    def member(self, plan: str = "free", *, team_id: str | None = None, role="owner") -> Member:
        self._count += 1
        with self.app.app_context():
            team = (
                db.session.get(Team, team_id)
                if team_id
                else accounts.create_team(f"Team {self._count}", plan)
            )
            email = f"user{self._count}@example.com"
            user = accounts.create_user(email, f"User {self._count}", "correct horse battery")
            accounts.add_member(user, team, role)
            token = accounts.issue_token(user, "test").plain
            return Member(team.id, user.id, email, token)


@pytest.fixture
def factory(app) -> Factory:
    return Factory(app)
