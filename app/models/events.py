"""Outgoing webhooks: a team's endpoints, each event's delivery to each, and every try.

A delivery is written in the transaction of the change it tells about (app.events.emit), so
an event is never announced for a change that rolled back, nor lost for one that committed;
a job or the minute's sweep then sends it (app.events.delivery).
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.ids import new_id
from app.models.base import UTCDateTime, check_in, utcnow


class DeliveryStatus(StrEnum):
    """pending: waiting for its next try (next_attempt_at). sending: a worker has it until
    claimed_until. delivered: a 2xx came back. failed: given up (24 hours of tries, or its
    endpoint was disabled or deleted meanwhile)."""

    PENDING = "pending"
    SENDING = "sending"
    DELIVERED = "delivered"
    FAILED = "failed"


class WebhookEndpoint(db.Model):
    """Where a team wants its events: a URL, the event types it takes, and its signing secret
    (encrypted: the signer needs it whole; app.events.secrets)."""

    __tablename__ = "webhook_endpoints"

    id: Mapped[str] = mapped_column(sa.String(40), primary_key=True, default=lambda: new_id("whep"))
    team_id: Mapped[str] = mapped_column(sa.ForeignKey("teams.id", ondelete="CASCADE"), index=True)
    url: Mapped[str] = mapped_column(sa.String(2000))
    description: Mapped[str] = mapped_column(sa.String(200), default="")
    # The event types as ",number.bought,plan.changed,": one LIKE finds the endpoints for one.
    events: Mapped[str] = mapped_column(sa.String(1000))
    enabled: Mapped[bool] = mapped_column(default=True)
    secret: Mapped[str] = mapped_column(sa.Text)  # encrypted
    # After a rotation the old secret signs too, until previous_secret_until.
    previous_secret: Mapped[str | None] = mapped_column(sa.Text)
    previous_secret_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_by_id: Mapped[str | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Since when every try has failed (null after a success): three days of it disables it.
    failing_since: Mapped[datetime | None] = mapped_column(UTCDateTime)
    disabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    disabled_reason: Mapped[str | None] = mapped_column(sa.String(300))

    @property
    def event_types(self) -> list[str]:
        return [name for name in self.events.split(",") if name]


class WebhookDelivery(db.Model):
    """One event on its way to one endpoint. `event_id` is the webhook-id header: the same for
    every try and every endpoint, so a receiver can drop a repeat; `payload` is the exact body
    signed and sent, so a try a day later sends the same bytes."""

    __tablename__ = "webhook_deliveries"
    __table_args__ = (
        sa.CheckConstraint(check_in("status", DeliveryStatus), name="status"),
        sa.Index("ix_webhook_deliveries_status_next", "status", "next_attempt_at"),
        sa.Index("ix_webhook_deliveries_endpoint_created", "endpoint_id", "created_at"),
        # An event that must go once per subject (a trial's reminder) goes once per endpoint.
        sa.UniqueConstraint("endpoint_id", "once_key", name="uq_webhook_deliveries_once"),
    )

    id: Mapped[str] = mapped_column(sa.String(40), primary_key=True, default=lambda: new_id("whdl"))
    endpoint_id: Mapped[str] = mapped_column(
        sa.ForeignKey("webhook_endpoints.id", ondelete="CASCADE")
    )
    team_id: Mapped[str] = mapped_column(sa.ForeignKey("teams.id", ondelete="CASCADE"))
    event_id: Mapped[str] = mapped_column(sa.String(40))
    event_type: Mapped[str] = mapped_column(sa.String(60))
    payload: Mapped[str] = mapped_column(sa.Text)
    once_key: Mapped[str | None] = mapped_column(sa.String(120))
    status: Mapped[str] = mapped_column(sa.String(10), default=DeliveryStatus.PENDING)
    attempts: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    give_up_at: Mapped[datetime] = mapped_column(UTCDateTime)
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    last_error: Mapped[str | None] = mapped_column(sa.String(300))


class WebhookAttempt(db.Model):
    """One HTTP try of a delivery: what came back, how fast, and the answer's first bytes."""

    __tablename__ = "webhook_attempts"

    id: Mapped[int] = mapped_column(primary_key=True)
    delivery_id: Mapped[str] = mapped_column(
        sa.ForeignKey("webhook_deliveries.id", ondelete="CASCADE"), index=True
    )
    attempted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    status_code: Mapped[int | None]
    latency_ms: Mapped[int] = mapped_column(default=0)
    response_excerpt: Mapped[str] = mapped_column(sa.String(500), default="")
    error: Mapped[str | None] = mapped_column(sa.String(300))
    succeeded: Mapped[bool] = mapped_column(default=False)
