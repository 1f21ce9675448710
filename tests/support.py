"""Building an app on a fresh database, and waiting on things that happen elsewhere."""

from __future__ import annotations

import os
import shutil
import socket
import tempfile
import time
from pathlib import Path

import sqlalchemy as sa
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
        empty_schema()
    return app


def teardown_app(app: Flask) -> None:
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


# Building the schema is most of a test's set-up (about 250 ms for some 50 tables, on either
# database), so each test process builds it once: a SQLite file copied for each test, and on
# PostgreSQL the tables emptied (ids start again at 1).
_sqlite_template: Path | None = None
_postgres_schemas: set[str] = set()


def empty_schema() -> None:
    """Give the app's database the models' tables with no rows, as drop_all + create_all would."""
    engine = db.engine
    url = engine.url
    if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
        path = Path(url.database)
        # A file another app of this test already uses keeps the old way: never swap a file
        # under a live connection.
        if not path.exists() or path.stat().st_size == 0:
            shutil.copyfile(_sqlite_schema(), path)
            engine.dispose()
            return
    elif url.get_backend_name() == "postgresql":
        key = url.render_as_string(hide_password=False)
        if key in _postgres_schemas and _has_exactly_the_models_tables(engine):
            _delete_every_row(engine)
            return
        db.drop_all()  # PostgreSQL is shared between tests: start from nothing
        db.create_all()
        _postgres_schemas.add(key)
        return
    db.drop_all()
    db.create_all()


def _sqlite_schema() -> Path:
    global _sqlite_template
    if _sqlite_template is None:
        path = Path(tempfile.mkdtemp(prefix="schema-")) / "schema.db"
        engine = sa.create_engine(f"sqlite:///{path}")
        db.metadata.create_all(engine)
        engine.dispose()  # the last connection closed: everything is in the one file
        _sqlite_template = path
    return _sqlite_template


def _delete_every_row(engine) -> None:
    # DELETE beats TRUNCATE here (about 15 ms against 130 ms for tables of a few rows); the
    # sequences start again at 1 as they would on a new schema.
    deletes = "; ".join(f'DELETE FROM "{t.name}"' for t in reversed(db.metadata.sorted_tables))
    with engine.begin() as connection:
        connection.exec_driver_sql(deletes)
        sequences = connection.exec_driver_sql(
            "SELECT quote_ident(sequencename) FROM pg_sequences WHERE schemaname = current_schema()"
        ).scalars()
        resets = ", ".join(f"setval('{name}', 1, false)" for name in sequences)
        if resets:
            connection.exec_driver_sql(f"SELECT {resets}")


def _has_exactly_the_models_tables(engine) -> bool:
    """False after a test left the schema otherwise (a migration test's upgrade or drop_all)."""
    with engine.connect() as connection:
        present = set(sa.inspect(connection).get_table_names())
    return present == set(db.metadata.tables)


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


def reuse_url_builders() -> None:
    """Compile each URL rule's builder once per test process instead of once per app.

    Every test builds a new app, and werkzeug compiles Python code for each of the app's some
    150 rules (two builders each): about 70 ms a test, a quarter of a plain test's time. The
    builder is a function of the rule's text, its parsed parts and its defaults, called with
    the rule as its first argument, so one compiled for an equal rule of an earlier app serves.
    """
    from werkzeug.routing.rules import Rule

    compile_builder = Rule._compile_builder
    builders: dict = {}

    def cached(self, append_unknown: bool = True):
        defaults = tuple(
            (name, type(self._converters.get(name)).__qualname__, repr(value))
            for name, value in sorted((self.defaults or {}).items())
        )
        key = (self.rule, tuple(self._trace), defaults, append_unknown)
        if key not in builders:
            builders[key] = compile_builder(self, append_unknown)
        return builders[key]

    Rule._compile_builder = cached
