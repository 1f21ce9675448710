"""Keeping pytest-xdist workers apart: each has its own PostgreSQL database and Redis databases.

Imported by conftest.py before the app is, because the app's test settings read
TEST_DATABASE_URL when they are first imported.
"""

from __future__ import annotations

import os

WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")  # "gw0", "gw1", ... or "" when not parallel
INDEX = int(WORKER[2:]) if WORKER.startswith("gw") else 0
REDIS_DATABASES_PER_WORKER = 2
# Another Redis server for the tests (say two checkouts testing at once on one machine).
REDIS_PORT = int(os.environ.get("TEST_REDIS_PORT", "6379"))


def isolate_database() -> None:
    """Point TEST_DATABASE_URL at this worker's own PostgreSQL database, created if missing.

    Every test drops and recreates the schema, so two workers on one database would drop
    each other's tables mid-test.
    """
    url = os.environ.get("TEST_DATABASE_URL")
    if not url or not WORKER or not url.startswith("postgresql"):
        return
    import psycopg
    from sqlalchemy.engine import make_url

    base = make_url(url)
    name = f"{base.database}_{WORKER}"
    plain = base.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(plain, autocommit=True) as connection:
        exists = connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,))
        if exists.fetchone() is None:
            connection.execute(f'CREATE DATABASE "{name}"')
    os.environ["TEST_DATABASE_URL"] = base.set(database=name).render_as_string(hide_password=False)


def redis_url(database: int) -> str:
    """A Redis URL for a test that needs Redis: `database` 15 or 14, moved down per worker."""
    if database < 16 - REDIS_DATABASES_PER_WORKER:
        raise ValueError("tests use Redis databases 15 and 14 (and lower ones per worker)")
    return f"redis://127.0.0.1:{REDIS_PORT}/{database - REDIS_DATABASES_PER_WORKER * INDEX}"
