"""What the job queue keeps in the database: emails on their way, failed jobs, periodic runs.

The queue itself (Huey, on Redis or a SQLite file) only carries nudges: the state a job
works from lives here, so a nudge lost with a killed worker or a flushed Redis is found again
by a sweep, and nothing the pages promised depends on the queue's storage.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.ids import new_id
from app.models.base import UTCDateTime, check_in, utcnow


class EmailStatus(StrEnum):
    """queued: waiting for its next try (next_attempt_at). sending: a worker has it until
    claimed_until. sent / skipped (nothing to send: no account at that address, say) / failed
    (given up: last_error says why)."""

    QUEUED = "queued"
    SENDING = "sending"
    SENT = "sent"
    SKIPPED = "skipped"
    FAILED = "failed"


class OutgoingEmail(db.Model):
    """An email to send: its kind and arguments, composed when a worker sends it.

    Written in the transaction of the change that causes it (an invitation, a trial notice),
    so a page never says "sent" for an email that is not kept.
    """

    __tablename__ = "outgoing_emails"
    __table_args__ = (
        sa.CheckConstraint(check_in("status", EmailStatus), name="status"),
        sa.Index("ix_outgoing_emails_status_next", "status", "next_attempt_at"),
    )

    id: Mapped[str] = mapped_column(sa.String(40), primary_key=True, default=lambda: new_id("eml"))
    kind: Mapped[str] = mapped_column(sa.String(40))
    to: Mapped[str] = mapped_column(sa.String(254))
    args: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    status: Mapped[str] = mapped_column(sa.String(10), default=EmailStatus.QUEUED)
    attempts: Mapped[int] = mapped_column(default=0)
    subject: Mapped[str | None] = mapped_column(sa.String(200))
    last_error: Mapped[str | None] = mapped_column(sa.String(500))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # No try starts after this: the message would be too late to help (a reset link's hour).
    give_up_at: Mapped[datetime] = mapped_column(UTCDateTime)
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)


class JobFailure(db.Model):
    """A job that failed for good (its retries spent): listed by `flask jobs failed`, run
    again by `flask jobs retry ID`."""

    __tablename__ = "job_failures"

    id: Mapped[str] = mapped_column(sa.String(40), primary_key=True, default=lambda: new_id("job"))
    task: Mapped[str] = mapped_column(sa.String(200))
    args: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    error: Mapped[str] = mapped_column(sa.String(500))
    traceback: Mapped[str] = mapped_column(sa.Text, default="")
    failed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    retried_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class PeriodicRun(db.Model):
    """One periodic job's run for one minute: the row is the claim, so however many workers
    run the schedule, each minute's run happens once; kept a week as the schedule's record."""

    __tablename__ = "periodic_runs"

    name: Mapped[str] = mapped_column(sa.String(100), primary_key=True)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime, primary_key=True)
    worker: Mapped[str] = mapped_column(sa.String(100))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    outcome: Mapped[str | None] = mapped_column(sa.String(300))
