"""The periodic schedule runs each sweep once a minute however many workers run it, on
SQLite and PostgreSQL; a run records what it did; a misspelt sweep stops start-up."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

import pytest

from app.config import ConfigError
from app.extensions import db
from app.jobs import huey
from app.jobs.periodic import SWEEPS, claim
from app.models import PeriodicRun
from tests.support import build_app

MINUTE = datetime(2026, 11, 27, 14, 5, tzinfo=UTC)
# The schedule as the README describes it: sweep -> how many runs from 03:00 to 03:59 UTC
SCHEDULE = {
    "settle_numbers": 60,
    "repair_call_routing": 12,  # every 5 minutes
    "expire_trial_numbers": 60,
    "release_scheduled": 60,
    "enforce_team_limits": 6,  # every 10 minutes
    "send_trial_notices": 12,  # every 5 minutes
    "report_reconcile": 1,  # once a day, at 03:17
    "forget_quotes": 1,  # once a day, at 03:17
    "redeliver_mail": 60,
    "send_webhooks": 60,  # retries that are due
    "prune_webhooks": 1,  # once a day, at 03:17
    "check_number_health": 6,  # every 10 minutes
    "advance_caller_names": 12,  # every 5 minutes
    "complete_due_replacements": 60,
}


def test_racing_workers_claim_a_minute_once(app):
    workers = 8
    barrier = threading.Barrier(workers)

    def attempt(_):
        with app.app_context():
            barrier.wait(timeout=30)
            return claim("settle_numbers", MINUTE)

    with ThreadPoolExecutor(workers) as pool:
        outcomes = list(pool.map(attempt, range(workers)))
    assert outcomes.count(True) == 1
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(PeriodicRun)) == 1


def test_two_schedulers_in_one_minute_enqueue_each_sweep_once(app):
    first = {task.name for task in huey.read_periodic(MINUTE.replace(tzinfo=None))}
    second = huey.read_periodic(MINUTE.replace(second=40, tzinfo=None))
    assert first == {
        "settle_numbers",
        "expire_trial_numbers",
        "release_scheduled",
        "send_trial_notices",  # 14:05: every 5 minutes, not every 10
        "repair_call_routing",
        "redeliver_mail",
        "send_webhooks",
        "advance_caller_names",  # every 5 minutes
        "complete_due_replacements",
    }
    assert second == []  # another worker, later in the same minute: nothing left to run
    later = {task.name for task in huey.read_periodic(MINUTE.replace(minute=6, tzinfo=None))}
    assert later == {
        "settle_numbers",
        "expire_trial_numbers",
        "release_scheduled",
        "redeliver_mail",
        "send_webhooks",
        "complete_due_replacements",
    }


def test_each_sweep_runs_on_its_documented_schedule(app):
    assert list(SWEEPS) == list(SCHEDULE)
    runs = {name: 0 for name in SCHEDULE}
    for minute in range(60):
        for task in huey.read_periodic(datetime(2026, 11, 27, 3, minute)):
            runs[task.name] += 1
    assert runs == SCHEDULE


def test_a_periodic_run_records_its_outcome(app, runner):
    [task] = [
        t for t in huey.read_periodic(MINUTE.replace(tzinfo=None)) if t.name == "settle_numbers"
    ]
    huey.execute(task)  # as a worker would
    with app.app_context():
        run = db.session.get(PeriodicRun, ("settle_numbers", MINUTE))
        assert run.outcome == "0 of 0 pending numbers settled"
        assert run.finished_at is not None
    status = runner.invoke(args=["jobs", "status"]).stdout.splitlines()
    assert "settle_numbers: 2026-11-27 14:05Z on " in next(s for s in status if "settle" in s)
    assert status[-1] == "0 failed jobs"


def test_a_misspelt_sweep_stops_start_up(tmp_path, monkeypatch):
    monkeypatch.setitem(SWEEPS, "release_due", "app.numbers.releasing:release_due")
    with pytest.raises(ConfigError, match="release_due names app.numbers.releasing:release_due"):
        build_app(tmp_path)


def test_with_the_database_away_the_scheduler_skips_the_minute_and_lives_on(app, monkeypatch):
    def unreachable(name, due_at):
        raise OSError("database unreachable")

    monkeypatch.setattr("app.jobs.periodic.claim", unreachable)
    assert huey.read_periodic(MINUTE.replace(tzinfo=None)) == []  # nothing runs, nothing raises
