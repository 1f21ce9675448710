"""Periodic sweeps: `sweep(when, "module:function")` runs function(now) on a schedule, once a
minute at most, once across every worker.

Huey's scheduler enqueues a periodic task in every consumer that runs the schedule (its docs
ask for exactly one such consumer, the others started with --no-periodic). Here each worker
may run it: a run is first claimed as a row keyed by the task and its minute, which only one
insert can win on either database, so a second worker (or a restarted one) never runs the
same minute again, and the schedule goes on while any one worker is up.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Callable
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from app.jobs.queue import WORKER_NAME, huey, in_app_context
from app.models import PeriodicRun, utcnow

log = logging.getLogger(__name__)
KEEP_RUNS = timedelta(days=7)
# name -> "module:function", in the order they were added: `flask jobs status` lists them.
SWEEPS: dict[str, str] = {}


def sweep(when: Callable[[datetime], bool], target: str) -> None:
    """Run `target` ("module:function", called with the time now) whenever `when(now)` holds
    (a huey.crontab). The function is imported when it first runs, so adding a sweep is
    this one line and imports nothing here; `check()` at start-up catches a misspelt one."""
    name = target.rpartition(":")[2]
    if name in SWEEPS:
        raise ValueError(f"a sweep named {name} is already on the schedule")
    SWEEPS[name] = target

    def run(due: str | None = None):
        outcome = resolve(target)(utcnow())
        if due is not None:
            finish(name, datetime.fromisoformat(due), outcome)
        return outcome

    run.__name__ = run.__qualname__ = name
    run.__module__ = __name__
    run.__doc__ = f"{target} on its schedule"
    huey.periodic_task(when, name=name)(in_app_context(run))


def resolve(target: str) -> Callable[[datetime], object]:
    module, _, function = target.partition(":")
    return getattr(importlib.import_module(module), function)


def claim(name: str, due_at: datetime) -> bool:
    """Take this minute's run of `name`; False if another worker already has it."""
    db.session.execute(
        sa.delete(PeriodicRun).where(
            PeriodicRun.name == name, PeriodicRun.due_at < due_at - KEEP_RUNS
        )
    )
    db.session.add(PeriodicRun(name=name, due_at=due_at, worker=WORKER_NAME, started_at=utcnow()))
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        return False
    return True


def finish(name: str, due_at: datetime, outcome: object) -> None:
    """Note when the run ended and what it did (the sweep's own summary)."""
    db.session.execute(
        sa.update(PeriodicRun)
        .where(PeriodicRun.name == name, PeriodicRun.due_at == due_at)
        .values(finished_at=utcnow(), outcome=str(outcome)[:300])
    )
    db.session.commit()


def last_runs() -> dict[str, PeriodicRun]:
    """Each sweep's latest claimed run."""
    latest = (
        sa.select(PeriodicRun.name, sa.func.max(PeriodicRun.due_at).label("due_at"))
        .group_by(PeriodicRun.name)
        .subquery()
    )
    rows = db.session.scalars(
        sa.select(PeriodicRun).join(
            latest,
            sa.and_(PeriodicRun.name == latest.c.name, PeriodicRun.due_at == latest.c.due_at),
        )
    )
    return {row.name: row for row in rows}
