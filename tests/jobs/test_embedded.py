"""Without Redis (`make run`): the queue is a SQLite file beside the database, the web process
works it in threads, and a delayed job fires, also after a restart."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from app.accounts.recovery import request_reset
from app.config import INSTANCE_DIR
from app.jobs import job
from app.jobs.queue import _beside_database
from app.jobs.worker import start_in_process, stop_in_process
from app.models import utcnow
from tests.factories import Factory
from tests.fakes.smtp import SmtpServer
from tests.jobs.helpers import eventually, queued_app
from tests.support import build_app, teardown_app


@job()
def note_the_time(path: str) -> None:
    """A delayed job for these tests: writes when it ran."""
    Path(path).write_text(utcnow().isoformat())


def embedded_app(tmp_path, **overrides):
    queue = str(tmp_path / "queue.db")  # named: on PostgreSQL it would go under instance/
    return build_app(
        tmp_path, JOBS_IMMEDIATE=False, JOBS_REDIS_URL=None, JOBS_SQLITE_PATH=queue, **overrides
    )


@pytest.fixture
def smtp():
    with SmtpServer() as server:
        yield server


# DATABASE_URL -> where the queue's file goes without JOBS_SQLITE_PATH
QUEUE_FILES = {
    "sqlite:////srv/desk/data.db": "/srv/desk/data-jobs.db",
    "sqlite:///relative/app.db?timeout=5": "relative/app-jobs.db",
    "sqlite://": str(INSTANCE_DIR / "jobs.db"),  # in memory: nothing to sit beside
    "postgresql+psycopg://desk@db/desk": str(INSTANCE_DIR / "jobs.db"),
}


@pytest.mark.parametrize(("database", "queue"), QUEUE_FILES.items())
def test_the_queue_is_a_sqlite_file_beside_a_sqlite_database(database, queue):
    assert str(_beside_database(database)) == queue


def test_the_queue_file_is_made_at_start_up(tmp_path):
    app = embedded_app(tmp_path)
    try:
        assert (tmp_path / "queue.db").exists()
    finally:
        teardown_app(app)


def test_the_web_process_sends_queued_email_itself(tmp_path, smtp):
    app = embedded_app(tmp_path, **smtp.config)
    try:
        user = Factory(app).member()
        assert start_in_process(app)
        with app.app_context():
            request_reset(user.email)
        eventually(lambda: len(smtp.messages) == 1)
        assert smtp.messages[0]["To"] == user.email
    finally:
        stop_in_process()
        teardown_app(app)


def test_a_delayed_job_fires_on_time(tmp_path):
    app = embedded_app(tmp_path)
    ran = tmp_path / "ran"
    try:
        assert start_in_process(app)
        queued = utcnow()
        note_the_time.schedule((str(ran),), delay=2)
        time.sleep(1)
        assert not ran.exists()  # not before its time
        eventually(ran.exists, timeout=10)
        waited = (utcnow() - queued).total_seconds()
        assert 2 <= waited < 6
    finally:
        stop_in_process()
        teardown_app(app)


def test_a_delayed_job_survives_a_restart(tmp_path):
    ran = tmp_path / "ran"
    app = embedded_app(tmp_path)
    with app.app_context():
        note_the_time.schedule((str(ran),), delay=1)  # queued; no worker runs yet
    time.sleep(1.5)
    assert not ran.exists()
    teardown_app(app)  # the process ends
    # A new process on the same files: the job is still there and fires.
    restarted = embedded_app(tmp_path)
    try:
        assert start_in_process(restarted)
        eventually(ran.exists, timeout=10)
    finally:
        stop_in_process()
        teardown_app(restarted)


@pytest.mark.parametrize("make", [build_app, queued_app], ids=["immediate", "redis"])
def test_nothing_runs_in_the_web_process_with_redis_or_immediate_jobs(tmp_path, make):
    app = make(tmp_path)
    try:
        assert not start_in_process(app)
    finally:
        teardown_app(app)
