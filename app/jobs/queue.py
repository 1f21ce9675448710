"""The one Huey instance: its storage picked from the settings, its tasks run in an app context.

Huey is made once, at import, because its task decorators bind to it; `init_jobs` then gives
it the app and the storage the settings name: Redis (JOBS_REDIS_URL, else REDIS_URL), a SQLite
file (JOBS_SQLITE_PATH), or, with JOBS_IMMEDIATE, none at all (each job runs where it is
queued: the tests).
"""

from __future__ import annotations

import logging
import os
import socket
from datetime import UTC
from functools import wraps
from pathlib import Path
from typing import Any

from flask import Flask, current_app, has_app_context
from huey import Huey
from huey.exceptions import RETRYING_EXCEPTIONS
from huey.storage import MemoryStorage, RedisStorage, SqliteStorage

from app.config import INSTANCE_DIR, ConfigError
from app.models import utcnow

log = logging.getLogger(__name__)
QUEUE_NAME = "phonenumbers"
# Who claimed a periodic run: shown by `flask jobs status`.
WORKER_NAME = f"{socket.gethostname()}:{os.getpid()}"
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


class AppHuey(Huey):
    """Huey bound to the Flask app; each minute's periodic run is claimed in the database."""

    def __init__(self) -> None:
        # Results are never read back: a job's outcome is in the database it works on.
        super().__init__(QUEUE_NAME, results=False, utc=True, immediate=True)
        self.app: Flask | None = None

    def bind(self, app: Flask) -> None:
        config = app.config
        self.app = app
        self._immediate = bool(config["JOBS_IMMEDIATE"])
        if self._immediate:
            self.storage = MemoryStorage(QUEUE_NAME)  # a fresh one per app: tests stay apart
        elif config["JOBS_REDIS_URL"]:
            self.storage = RedisStorage(QUEUE_NAME, url=config["JOBS_REDIS_URL"])
        else:
            path = Path(config["JOBS_SQLITE_PATH"])
            path.parent.mkdir(parents=True, exist_ok=True)
            self.storage = SqliteStorage(QUEUE_NAME, filename=str(path))

    @property
    def embedded(self) -> bool:
        """Whether the queue is a SQLite file that the web process works itself."""
        return isinstance(self.storage, SqliteStorage)

    def read_periodic(self, timestamp):
        """The periodic tasks due this minute that this worker claimed: several workers may
        run the schedule (so it survives any one of them), and each minute runs once."""
        due = super().read_periodic(timestamp)
        if not due:
            return due
        from app.jobs.periodic import claim

        moment = timestamp or utcnow()
        if moment.tzinfo is None:  # Huey's own clock: naive UTC
            moment = moment.replace(tzinfo=UTC)
        minute = moment.replace(second=0, microsecond=0)
        claimed = []
        with self.app.app_context():
            for task in due:
                try:
                    if claim(task.name, minute):
                        task.kwargs = {"due": minute.isoformat()}
                        claimed.append(task)
                except Exception:  # the database is away: skip this minute, keep scheduling
                    log.exception("could not claim %s for %s", task.name, minute)
        return claimed


huey = AppHuey()


def in_app_context(func):
    """Run `func` in its own app context: the app serving this request, or the worker's."""

    @wraps(func)
    def run(*args, **kwargs):
        app = current_app._get_current_object() if has_app_context() else huey.app
        with app.app_context():
            return func(*args, **kwargs)

    return run


def job(**settings: Any):
    """Make a function a job: `fn(args)` queues it, `fn.schedule(args, eta=...)` delays it."""

    def decorator(func):
        return huey.task(**settings)(in_app_context(func))

    return decorator


@huey.post_execute()
def _record_failure(task, _value, exception) -> None:
    # Only the last try's failure: one that will be retried is not a failed job yet.
    if exception is None or task.retries or isinstance(exception, RETRYING_EXCEPTIONS):
        return
    from app.jobs.failures import record

    in_app_context(record)(huey._registry.task_to_string(type(task)), task, exception)


def init_jobs(app: Flask) -> None:
    """Check the JOBS_* settings, bind the queue to the app and register its tasks and CLI."""
    config = app.config
    config["JOBS_IMMEDIATE"] = _flag(config.get("JOBS_IMMEDIATE"))
    config["JOBS_REDIS_URL"] = _redis_url(config.get("JOBS_REDIS_URL") or config.get("REDIS_URL"))
    config["JOBS_SQLITE_PATH"] = str(
        config.get("JOBS_SQLITE_PATH") or _beside_database(config["SQLALCHEMY_DATABASE_URI"])
    )
    huey.bind(app)
    app.extensions["jobs"] = huey
    from app.jobs import cli, schedule

    schedule.check()
    cli.register(app)


def _flag(value: object) -> bool:
    if value is None or isinstance(value, bool):
        return bool(value)
    text = str(value).strip().lower()
    if text not in _TRUE | _FALSE:
        raise ConfigError(f"JOBS_IMMEDIATE={value!r} is not a yes/no value: set it to 1 or 0.")
    return text in _TRUE


def _redis_url(value: object) -> str | None:
    text = str(value or "").strip()
    if text and not text.startswith(("redis://", "rediss://", "unix://")):
        raise ConfigError(
            f"JOBS_REDIS_URL={text!r} is not a Redis URL: write it like "
            "JOBS_REDIS_URL=redis://127.0.0.1:6379/0, or leave it unset to follow REDIS_URL."
        )
    return text or None


def _beside_database(database_url: str) -> Path:
    """The queue's file next to a SQLite database (one deployment's files stay together, and
    a test's database in a temporary folder gets its own queue); else under instance/."""
    prefix = "sqlite:///"
    if database_url.startswith(prefix) and len(database_url) > len(prefix):
        database = Path(database_url.removeprefix(prefix).split("?")[0])
        return database.with_name(f"{database.stem}-jobs.db")
    return INSTANCE_DIR / "jobs.db"
