"""Building an app on a fresh database, and waiting on things that happen elsewhere."""

from __future__ import annotations

import os
import socket
import time

from flask import Flask

from app import create_app
from app.config import TestConfig
from app.extensions import db

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


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def listening(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


def wait_until(condition, timeout: float = 15.0, interval: float = 0.02) -> None:
    """Block until condition() is true (polling), or fail after timeout seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(interval)
    raise AssertionError("condition not met in time")
