"""What routing calls at Telnyx keeps: the deployment's Call Control Application, and
whether each bought number is attached to it there."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.models.base import UTCDateTime, check_in, utcnow

APPLIED, NOT_APPLIED = "applied", "not_applied"
CONNECTION_STATES = (APPLIED, NOT_APPLIED)


class CallControlApp(db.Model):
    """The one Call Control Application of this deployment at a provider (created once)."""

    __tablename__ = "call_control_apps"

    provider: Mapped[str] = mapped_column(sa.String(20), primary_key=True)
    app_id: Mapped[str] = mapped_column(sa.String(64))
    # Built from BASE_URL when it was created, never from a request's Host.
    webhook_url: Mapped[str] = mapped_column(sa.String(500))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class NumberConnection(db.Model):
    """Whether the number's calls reach our application at the provider.

    "not_applied": the last attempt to set its connection failed (`error` says why); a job
    retries it and `numbers sync` repairs it. No row: nothing to apply (the sandbox, or a
    number not active yet)."""

    __tablename__ = "number_connections"
    __table_args__ = (
        sa.CheckConstraint(check_in("state", CONNECTION_STATES), name="state"),
        sa.Index(
            "ix_number_connections_not_applied",
            "state",
            postgresql_where=sa.text("state = 'not_applied'"),
            sqlite_where=sa.text("state = 'not_applied'"),
        ),
    )

    phone_number_id: Mapped[str] = mapped_column(
        sa.ForeignKey("phone_numbers.id", ondelete="CASCADE"), primary_key=True
    )
    state: Mapped[str] = mapped_column(sa.String(20))
    connection_id: Mapped[str | None] = mapped_column(sa.String(64))
    error: Mapped[str | None] = mapped_column(sa.String(300))
    attempts: Mapped[int] = mapped_column(default=0)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
