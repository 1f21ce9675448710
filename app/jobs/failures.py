"""Jobs that failed for good, kept in the database whatever the queue's storage: listed by
`flask jobs failed`, queued again by `flask jobs retry ID` (each failure once)."""

from __future__ import annotations

import json
import logging
import traceback

import sqlalchemy as sa
from huey.exceptions import HueyException

from app.extensions import db
from app.jobs.queue import huey
from app.models import JobFailure, utcnow
from app.text import one_line

log = logging.getLogger(__name__)


class UnknownFailure(LookupError):
    """No failed job has that id, or it was already retried."""


def record(task_name: str, task, error: BaseException) -> JobFailure:
    failure = JobFailure(
        task=task_name,
        args=_plain({"args": list(task.args), "kwargs": dict(task.kwargs)}),
        error=one_line(f"{type(error).__name__}: {error}")[:500],
        traceback="".join(traceback.format_exception(error)),
        failed_at=utcnow(),
    )
    db.session.add(failure)
    db.session.commit()
    log.error("job %s failed for good (%s): %s", task_name, failure.id, failure.error)
    return failure


def unresolved(limit: int = 100) -> list[JobFailure]:
    """Failures not yet retried, newest first."""
    return list(
        db.session.scalars(
            sa.select(JobFailure)
            .where(JobFailure.retried_at.is_(None))
            .order_by(JobFailure.failed_at.desc(), JobFailure.id.desc())
            .limit(limit)
        )
    )


def retry(failure_id: str) -> JobFailure:
    """Queue the failed job again with its arguments; UnknownFailure if there is none to retry.

    Marked retried first, by one conditional UPDATE: two operators retrying at once queue it
    once. If it fails again, that is a new failure.
    """
    failure = db.session.get(JobFailure, failure_id)
    if failure is None or failure.retried_at is not None:
        raise UnknownFailure(f"No failed job {failure_id} waiting for a retry.")
    try:
        task_class = huey._registry.string_to_task(failure.task)
    except HueyException:
        raise UnknownFailure(f"{failure.task} is no longer a job here: it cannot run.") from None
    claimed = db.session.execute(
        sa.update(JobFailure)
        .where(JobFailure.id == failure_id, JobFailure.retried_at.is_(None))
        .values(retried_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    if claimed.rowcount != 1:
        raise UnknownFailure(f"No failed job {failure_id} waiting for a retry.")
    huey.enqueue(task_class(failure.args.get("args", []), failure.args.get("kwargs", {})))
    return failure


def _plain(value):
    """JSON-safe: a job's arguments are ids and strings, but never let a record fail."""
    return json.loads(json.dumps(value, default=str))
