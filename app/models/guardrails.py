"""Purchase requests: a member's Buy that waits for an owner's or admin's approval."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.ids import new_id
from app.models.accounts import User
from app.models.base import UTCDateTime, check_in, utcnow


class RequestStatus(StrEnum):
    """pending → approved (bought, or on its way) | denied | failed (refused when approved);
    a pending request whose hold has ended reads expired, before anything writes it."""

    PENDING = "pending"
    APPROVED = "approved"
    DENIED = "denied"
    EXPIRED = "expired"
    FAILED = "failed"


PENDING_ONLY = sa.text("status = 'pending'")


class PurchaseRequest(db.Model):
    """A number a member asked to buy, held for the team until `hold_expires_at`, with the
    prices they were quoted, and who decided what and when."""

    __tablename__ = "purchase_requests"
    __table_args__ = (
        sa.CheckConstraint(check_in("status", RequestStatus), name="status"),
        sa.Index("ix_purchase_requests_team_status", "team_id", "status", "created_at"),
        # One open request per number and team: a second Buy finds the first.
        sa.Index(
            "uq_purchase_requests_pending_number",
            "team_id",
            "phone_number",
            unique=True,
            postgresql_where=PENDING_ONLY,
            sqlite_where=PENDING_ONLY,
        ),
    )

    id: Mapped[str] = mapped_column(sa.String(40), primary_key=True, default=lambda: new_id("preq"))
    team_id: Mapped[str] = mapped_column(sa.ForeignKey("teams.id", ondelete="CASCADE"))
    phone_number: Mapped[str] = mapped_column(sa.String(20))
    place: Mapped[str] = mapped_column(sa.String(120), default="")
    features: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    # USD as quoted when the number was held; null when nobody quoted a price.
    monthly_price: Mapped[Decimal | None] = mapped_column(sa.Numeric(10, 2))
    setup_price: Mapped[Decimal | None] = mapped_column(sa.Numeric(10, 2))
    connection_id: Mapped[str | None] = mapped_column(sa.String(64))
    requested_by_id: Mapped[str | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    status: Mapped[str] = mapped_column(sa.String(20), default=RequestStatus.PENDING)
    # Why it failed (the refusal at approval), or the approver's note when denied.
    reason: Mapped[str | None] = mapped_column(sa.String(300))
    hold_expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    decided_by_id: Mapped[str | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The number bought on approval (null until then, or when the order was not placed).
    phone_number_id: Mapped[str | None] = mapped_column(
        sa.ForeignKey("phone_numbers.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    requested_by: Mapped[User | None] = relationship(foreign_keys=[requested_by_id])
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])

    def effective_status(self, now: datetime | None = None) -> str:
        """The status, with a pending request whose hold has ended read as expired."""
        if self.status == RequestStatus.PENDING and self.hold_expires_at <= (now or utcnow()):
            return RequestStatus.EXPIRED
        return self.status

    @classmethod
    def open(cls, now: datetime) -> sa.ColumnElement[bool]:
        """Pending, its hold not yet ended: what an approver may still approve."""
        return sa.and_(cls.status == RequestStatus.PENDING, cls.hold_expires_at > now)
