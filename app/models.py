"""The data model: teams, their members and tokens, assistants and phone numbers."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import sqlalchemy as sa
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.ids import new_id

# Statuses that hold a number on this platform (count toward the plan, block re-purchase).
HELD_STATUSES = ("pending", "active")
STATUSES = ("pending", "active", "expired", "released")
ROLES = ("owner", "admin", "member")


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(sa.TypeDecorator):
    """Aware UTC datetimes on every backend (SQLite forgets the zone otherwise)."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is not None:
            if value.tzinfo is None:
                raise ValueError("naive datetime given to a UTC column")
            value = value.astimezone(UTC)
            if dialect.name == "sqlite":
                value = value.replace(tzinfo=None)
        return value

    def process_result_value(self, value, dialect):
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value


class Team(db.Model):
    __tablename__ = "teams"

    id: Mapped[str] = mapped_column(sa.String(40), primary_key=True, default=lambda: new_id("team"))
    name: Mapped[str] = mapped_column(sa.String(120))
    plan: Mapped[str] = mapped_column(sa.String(20), default="free")
    # Set when a trial purchase succeeds: a team gets one trial, ever.
    trial_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Bumped under the purchase lock; the UPDATE itself is what serialises purchases.
    purchase_seq: Mapped[int] = mapped_column(default=0, server_default="0")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    memberships: Mapped[list[Membership]] = relationship(
        back_populates="team", cascade="all, delete-orphan"
    )


class User(UserMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[str] = mapped_column(sa.String(40), primary_key=True, default=lambda: new_id("usr"))
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    password_hash: Mapped[str] = mapped_column(sa.String(255))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    memberships: Mapped[list[Membership]] = relationship(
        back_populates="user", cascade="all, delete-orphan"
    )


class Membership(db.Model):
    __tablename__ = "memberships"

    user_id: Mapped[str] = mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    team_id: Mapped[str] = mapped_column(
        sa.ForeignKey("teams.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    role: Mapped[str] = mapped_column(sa.String(20), default="member")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[User] = relationship(back_populates="memberships")
    team: Mapped[Team] = relationship(back_populates="memberships")


class ApiToken(db.Model):
    """A bearer token; only its SHA-256 is kept, the plain token is shown once."""

    __tablename__ = "api_tokens"

    id: Mapped[str] = mapped_column(sa.String(40), primary_key=True, default=lambda: new_id("tok"))
    user_id: Mapped[str] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(sa.String(120), default="")
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    # First characters of the token, so a person can tell tokens apart in a list.
    display_prefix: Mapped[str] = mapped_column(sa.String(12))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()


class Assistant(db.Model):
    __tablename__ = "assistants"

    id: Mapped[str] = mapped_column(sa.String(40), primary_key=True, default=lambda: new_id("asst"))
    team_id: Mapped[str] = mapped_column(sa.ForeignKey("teams.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class PhoneNumber(db.Model):
    __tablename__ = "phone_numbers"
    __table_args__ = (
        # A number is held by at most one team at a time; released/expired rows stay as history.
        sa.Index(
            "uq_phone_numbers_held_number",
            "phone_number",
            unique=True,
            postgresql_where=sa.text("status IN ('pending', 'active')"),
            sqlite_where=sa.text("status IN ('pending', 'active')"),
        ),
        sa.Index("ix_phone_numbers_team_created", "team_id", "created_at"),
        sa.CheckConstraint(f"status IN {STATUSES!r}", name="status"),
    )

    id: Mapped[str] = mapped_column(sa.String(40), primary_key=True, default=lambda: new_id("pn"))
    team_id: Mapped[str] = mapped_column(sa.ForeignKey("teams.id", ondelete="CASCADE"))
    phone_number: Mapped[str] = mapped_column(sa.String(20))
    provider: Mapped[str] = mapped_column(sa.String(20))
    provider_number_id: Mapped[str | None] = mapped_column(sa.String(64))
    provider_order_id: Mapped[str | None] = mapped_column(sa.String(64))
    # Sent with the provider order, so a timed-out order can be found again.
    customer_reference: Mapped[str] = mapped_column(sa.String(64), unique=True)
    number_type: Mapped[str] = mapped_column(sa.String(20))
    country_code: Mapped[str] = mapped_column(sa.String(2))
    status: Mapped[str] = mapped_column(sa.String(20), default="pending")
    is_trial: Mapped[bool] = mapped_column(default=False)
    trial_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Null when the provider does not say at order time (Telnyx's order carries no cost).
    monthly_price: Mapped[Decimal | None] = mapped_column(sa.Numeric(10, 2))
    setup_price: Mapped[Decimal | None] = mapped_column(sa.Numeric(10, 2))
    features: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    connection_id: Mapped[str | None] = mapped_column(sa.String(64))
    # A nickname the team gives the number ("Support line"); shown beside it everywhere.
    label: Mapped[str | None] = mapped_column(sa.String(80))
    assistant_id: Mapped[str | None] = mapped_column(
        sa.ForeignKey("assistants.id", ondelete="SET NULL"), index=True
    )
    created_by_id: Mapped[str | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    released_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    assistant: Mapped[Assistant | None] = relationship()
    created_by: Mapped[User | None] = relationship()

    def effective_status(self, now: datetime | None = None) -> str:
        """A trial past its expiry reads as expired even before the expiry job runs."""
        if (
            self.status == "active"
            and self.is_trial
            and self.trial_expires_at is not None
            and self.trial_expires_at <= (now or utcnow())
        ):
            return "expired"
        return self.status


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
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
