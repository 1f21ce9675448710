"""What the billing provider told us that a team's own columns cannot hold."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.ids import new_id
from app.models.base import UTCDateTime, utcnow


class EndedSubscription(db.Model):
    """A subscription the provider ended (deleted, or a terminal status). Stripe never brings a
    cancelled subscription back, so any later event about it (one sent in the same second
    as its deletion, or delayed) changes nothing: a deletion wins ties."""

    __tablename__ = "ended_subscriptions"

    provider: Mapped[str] = mapped_column(sa.String(20), primary_key=True)
    subscription_id: Mapped[str] = mapped_column(sa.String(100), primary_key=True)
    team_id: Mapped[str | None] = mapped_column(sa.ForeignKey("teams.id", ondelete="SET NULL"))
    ended_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class BillingIssue(db.Model):
    """Something a billing webhook could not settle on its own, kept for the operator
    (`flask billing issues`) as well as logged: a customer that is another team's, a second
    subscription for one team (cancelled, or not if Stripe refused)."""

    __tablename__ = "billing_issues"

    id: Mapped[str] = mapped_column(sa.String(40), primary_key=True, default=lambda: new_id("bis"))
    provider: Mapped[str] = mapped_column(sa.String(20))
    kind: Mapped[str] = mapped_column(sa.String(40))
    event_id: Mapped[str | None] = mapped_column(sa.String(100))
    team_id: Mapped[str | None] = mapped_column(sa.ForeignKey("teams.id", ondelete="SET NULL"))
    detail: Mapped[str] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
