"""Job tests: an app whose queue is real (Redis, or a SQLite file), and `flask worker` as a
real process on the same database and queue."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import redis
from flask import Flask

from tests import workers
from tests.support import build_app, wait_until

ROOT = Path(__file__).resolve().parents[2]
QUEUE_REDIS = workers.redis_url(14)  # this xdist worker's own Redis database


def queued_app(tmp_path, **overrides) -> Flask:
    """An app whose jobs go to Redis (emptied first) instead of running where queued."""
    redis.Redis.from_url(QUEUE_REDIS).flushdb()
    settings = {
        "JOBS_IMMEDIATE": False,
        "JOBS_REDIS_URL": QUEUE_REDIS,
        "JOBS_SQLITE_PATH": str(tmp_path / "queue.db"),  # unused with Redis; names the log's folder
        "SECRET_KEY": "jobs",
    }
    return build_app(tmp_path, **{**settings, **overrides})


@contextlib.contextmanager
def worker(app: Flask, *extra: str) -> Iterator[subprocess.Popen]:
    """`flask worker` on the app's database, queue and mail settings; stopped after. If the
    block fails, the worker's log is printed (pytest shows it with the failure)."""
    process = start_worker(app, *extra)
    try:
        yield process
    except BaseException:
        print_log(app)
        raise
    finally:
        stop(process)


def print_log(app: Flask) -> None:
    print(f"--- flask worker log ---\n{_log_path(app).read_text(errors='replace')[-6000:]}")


def _log_path(app: Flask) -> Path:
    return Path(app.config["JOBS_SQLITE_PATH"]).with_name("worker.log")


def start_worker(app: Flask, *extra: str) -> subprocess.Popen:
    config = app.config
    settings = {
        "DATABASE_URL": config["SQLALCHEMY_DATABASE_URI"],
        "JOBS_REDIS_URL": config["JOBS_REDIS_URL"] or "",
        "JOBS_SQLITE_PATH": config["JOBS_SQLITE_PATH"],
        "SECRET_KEY": config["SECRET_KEY"],
        "BASE_URL": config["BASE_URL"],
        "MAIL_BACKEND": config["MAIL_BACKEND"],
        "MAIL_SERVER": config.get("MAIL_SERVER") or "",
        "MAIL_PORT": str(config["MAIL_PORT"]),
        "MAIL_TIMEOUT": str(config["MAIL_TIMEOUT"]),
        "MAIL_RETRY_DELAY": str(config["MAIL_RETRY_DELAY"]),
        "MAIL_OUTBOX_DIR": config["MAIL_OUTBOX_DIR"],
        "FLASK_SKIP_DOTENV": "1",
    }
    environment = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("REDIS", "MAIL_", "JOBS_"))},
        **settings,
    }
    flask = Path(sys.executable).parent / "flask"
    with _log_path(app).open("ab") as log:
        return subprocess.Popen(
            [str(flask), "--app", "wsgi", "worker", "--threads", "2", *extra],
            cwd=ROOT,
            env=environment,
            stdout=log,
            stderr=subprocess.STDOUT,
        )


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(10)


def kill(process: subprocess.Popen) -> None:
    """SIGKILL: no handler runs, running jobs die mid-way."""
    process.send_signal(signal.SIGKILL)
    process.wait(10)


def eventually(condition, timeout: float = 40) -> None:
    wait_until(condition, timeout=timeout, interval=0.05)
