"""A number's health: its latest spam-risk reading, its rest, its open alert, and every check
kept as history."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.ids import new_id
from app.models.base import UTCDateTime, check_in, utcnow

RISKS = ("low", "medium", "high", "unknown")
# How a reputation check ended: a reading, not ready yet at the provider, failed, or no
# reputation service for this number (the deployment has none, or not for its country).
CHECK_OUTCOMES = ("ok", "pending", "failed", "unsupported")
ALERTS = ("risk", "ramp")


class NumberHealth(db.Model):
    """One row per number that has been checked or rested (no row reads as "not checked")."""

    __tablename__ = "number_health"
    __table_args__ = (
        sa.CheckConstraint(check_in("risk", RISKS), name="risk"),
        sa.CheckConstraint(check_in("alert", ALERTS), name="alert"),
        # The Numbers list's badge and the sweep's "not checked lately" both read these.
        sa.Index("ix_number_health_team_alert", "team_id", "alert"),
        sa.Index("ix_number_health_checked_at", "checked_at"),
    )

    phone_number_id: Mapped[str] = mapped_column(
        sa.ForeignKey("phone_numbers.id", ondelete="CASCADE"), primary_key=True
    )
    team_id: Mapped[str] = mapped_column(sa.ForeignKey("teams.id", ondelete="CASCADE"))
    risk: Mapped[str] = mapped_column(sa.String(10), default="unknown")
    category: Mapped[str | None] = mapped_column(sa.String(60))
    checked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    check_outcome: Mapped[str | None] = mapped_column(sa.String(12))
    # The highest risk already alerted on since the number was last low: a risk alerts when
    # it rises past this, once, not on every sweep that reads it again.
    alerted_risk: Mapped[str | None] = mapped_column(sa.String(10))
    # Whether the number was over its warm-up ramp at the last sweep: the alert is raised on
    # the way over, once, and may be raised again only after a day back under.
    over_ramp: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    # The open alert shown on the number's page and as a badge in the Numbers list.
    alert: Mapped[str | None] = mapped_column(sa.String(10))
    alert_detail: Mapped[str | None] = mapped_column(sa.String(300))
    alert_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The caller-ID selector skips the number until then (copied onto its campaign row,
    # which is what the selector reads: app.health.rest).
    rest_until: Mapped[datetime | None] = mapped_column(UTCDateTime)


class HealthCheck(db.Model):
    """One reputation check of a number, as it ended: the history on the health card."""

    __tablename__ = "number_health_checks"
    __table_args__ = (
        sa.CheckConstraint(check_in("outcome", CHECK_OUTCOMES), name="outcome"),
        sa.CheckConstraint(check_in("risk", RISKS), name="risk"),
        sa.Index("ix_number_health_checks_number_at", "phone_number_id", "checked_at"),
    )

    id: Mapped[str] = mapped_column(sa.String(40), primary_key=True, default=lambda: new_id("hc"))
    phone_number_id: Mapped[str] = mapped_column(
        sa.ForeignKey("phone_numbers.id", ondelete="CASCADE")
    )
    team_id: Mapped[str] = mapped_column(sa.ForeignKey("teams.id", ondelete="CASCADE"))
    checked_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    outcome: Mapped[str] = mapped_column(sa.String(12))
    risk: Mapped[str] = mapped_column(sa.String(10), default="unknown")
    category: Mapped[str | None] = mapped_column(sa.String(60))
    detail: Mapped[str | None] = mapped_column(sa.String(300))
