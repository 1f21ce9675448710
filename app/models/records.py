"""Records kept about requests: the audit trail, idempotency answers and webhook deliveries."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.ids import new_id
from app.models.accounts import User
from app.models.base import UTCDateTime, utcnow


class AuditEvent(db.Model):
    """Something a person (or a job, actor_id null) did to a team's numbers or assistants."""

    __tablename__ = "audit_events"
    __table_args__ = (sa.Index("ix_audit_events_team_created", "team_id", "created_at"),)

    id: Mapped[str] = mapped_column(sa.String(40), primary_key=True, default=lambda: new_id("evt"))
    team_id: Mapped[str] = mapped_column(sa.ForeignKey("teams.id", ondelete="CASCADE"))
    actor_id: Mapped[str | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    action: Mapped[str] = mapped_column(sa.String(40))
    # What was acted on, by id and by a name that survives the thing's deletion.
    subject_id: Mapped[str | None] = mapped_column(sa.String(40))
    subject: Mapped[str] = mapped_column(sa.String(200), default="")
    before: Mapped[dict | None] = mapped_column(sa.JSON)
    after: Mapped[dict | None] = mapped_column(sa.JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    actor: Mapped[User | None] = relationship()


class IdempotencyRecord(db.Model):
    """The first answer to a request sent with an Idempotency-Key, replayed for 24 hours."""

    __tablename__ = "idempotency_records"
    __table_args__ = (
        sa.UniqueConstraint("team_id", "key", name="uq_idempotency_records_team_key"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[str] = mapped_column(sa.ForeignKey("teams.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(sa.String(255))
    # SHA-256 of method, path, query and body: the same key with another request is refused.
    fingerprint: Mapped[str] = mapped_column(sa.String(64))
    # Null while the first request is still being answered.
    status_code: Mapped[int | None]
    response: Mapped[dict | None] = mapped_column(sa.JSON)
    # When the key was claimed; an unanswered claim older than the lease was abandoned.
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)


class WebhookEvent(db.Model):
    """A provider's webhook event we applied: a replayed delivery changes nothing."""

    __tablename__ = "webhook_events"

    provider: Mapped[str] = mapped_column(sa.String(20), primary_key=True)
    event_id: Mapped[str] = mapped_column(sa.String(100), primary_key=True)
    event_type: Mapped[str] = mapped_column(sa.String(80))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class SentNotice(db.Model):
    """An email notice that was queued (a trial ending, say): a job that runs again skips it.

    The row is written in the transaction that queues the email, so two runs at once cannot
    both queue it; the mail job then delivers it, trying again until it goes.
    """

    __tablename__ = "sent_notices"

    kind: Mapped[str] = mapped_column(sa.String(40), primary_key=True)
    subject_id: Mapped[str] = mapped_column(sa.String(40), primary_key=True)
    user_id: Mapped[str] = mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
