"""Where the benchmark runs: its own database, the app's config in-process and the servers' env."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa

from app.config import Config

ROOT = Path(__file__).resolve().parent.parent
# BENCH_PG_SERVER moves it (point it at a closed port to try the SQLite fallback).
PG_SERVER = os.environ.get("BENCH_PG_SERVER", "postgresql+psycopg://postgres@127.0.0.1:5432")
# Never `test`: the suite owns that one. BENCH_PG_DATABASE lets two runs share a server.
PG_DATABASE = os.environ.get("BENCH_PG_DATABASE", "bench")
SECRET_KEY = "bench-secret-key-not-for-production"
# The benchmark measures the app, not its rate limits: lift them far out of reach.
NO_LIMIT = "10000000 per minute"
RATE_LIMITS = (
    "RATELIMIT_API_SEARCH",
    "RATELIMIT_API_PURCHASE",
    "RATELIMIT_SIGNIN",
    "RATELIMIT_SIGNUP",
)


@dataclass(frozen=True)
class Database:
    url: str
    is_postgres: bool
    note: str  # what the table's reader should know (the engine, or why it fell back)

    def engine(self) -> sa.Engine:
        return sa.create_engine(self.url)


def prepare_database(workdir: Path) -> Database:
    """An empty `bench` database on PostgreSQL, else a SQLite file in workdir, migrated."""
    try:
        database = _empty_postgres()
    except sa.exc.OperationalError as error:
        reason = str(error.orig or error).strip().splitlines()[0]
        database = Database(
            f"sqlite:///{workdir / 'bench.db'}",
            False,
            f"SQLite: NOTE PostgreSQL unreachable ({reason})",
        )
    migrate(database)
    return database


def _empty_postgres() -> Database:
    admin = sa.create_engine(f"{PG_SERVER}/postgres", isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            exists = connection.scalar(
                sa.text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": PG_DATABASE}
            )
            if not exists:
                connection.execute(sa.text(f'CREATE DATABASE "{PG_DATABASE}"'))
            version = connection.scalar(sa.text("SHOW server_version"))
    finally:
        admin.dispose()
    url = f"{PG_SERVER}/{PG_DATABASE}"
    engine = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            # Drop everything, alembic_version included, so `db upgrade` builds it from empty.
            connection.execute(sa.text("DROP SCHEMA public CASCADE"))
            connection.execute(sa.text("CREATE SCHEMA public"))
    finally:
        engine.dispose()
    return Database(url, True, f"PostgreSQL {version} (database {PG_DATABASE})")


def server_env(database: Database, **extra: str) -> dict[str, str]:
    """The environment for `flask` and gunicorn: this database, the sandbox, no rate limits."""
    env = {
        **os.environ,
        "FLASK_APP": "wsgi",
        "FLASK_SKIP_DOTENV": "1",  # a developer's .env must not point the benchmark elsewhere
        "DATABASE_URL": database.url,
        "SECRET_KEY": SECRET_KEY,
        "PHONE_PROVIDER": "sandbox",
        "PYTHONPATH": str(ROOT),
        # Requests only: no job threads working a queue beside the measured workers.
        "JOBS_IMMEDIATE": "1",
        **{name: NO_LIMIT for name in RATE_LIMITS},
    }
    for name in ("REDIS_URL", "CACHE_REDIS_URL", "RATELIMIT_STORAGE_URI", "PREFERRED_URL_SCHEME"):
        env.pop(name, None)
    env.update(extra)
    return env


def migrate(database: Database) -> None:
    """`flask --app wsgi db upgrade`, as a deploy runs it."""
    command = [sys.executable, "-m", "flask", "--app", "wsgi", "db", "upgrade"]
    done = subprocess.run(
        command, cwd=ROOT, env=server_env(database), capture_output=True, text=True, timeout=120
    )
    if done.returncode != 0:
        raise SystemExit(f"flask db upgrade failed:\n{done.stdout}{done.stderr}")


def bench_config(database: Database, **overrides: object) -> type[Config]:
    """The app's own Config on the bench database, for in-process measurements."""
    settings = {
        "SQLALCHEMY_DATABASE_URI": database.url,
        "SECRET_KEY": SECRET_KEY,
        "PHONE_PROVIDER": "sandbox",
        "CACHE_TYPE": "SimpleCache",
        "REDIS_URL": None,
        "CACHE_REDIS_URL": None,
        "RATELIMIT_STORAGE_URI": "memory://",
        **{name: NO_LIMIT for name in RATE_LIMITS},
    }
    if not database.is_postgres:
        settings["SQLALCHEMY_ENGINE_OPTIONS"] = {"connect_args": {"timeout": 30}}
    return type("BenchConfig", (Config,), {**settings, **overrides})
