"""Assistants and the phone numbers they answer on."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from app.extensions import db
from app.ids import new_id
from app.models.accounts import User
from app.models.base import (
    HELD,
    ORDERING,
    SCHEDULED,
    NumberStatus,
    UTCDateTime,
    check_in,
    utcnow,
)
from app.phone import NUMBER_TYPES, canonical


def name_key(name: str) -> str:
    """An assistant's name as the team's uniqueness sees it: "Sales" and "SALES" are one."""
    return name.casefold()


def _key_of_inserted(context) -> str:
    return name_key(context.get_current_parameters()["name"])


class Assistant(db.Model):
    __tablename__ = "assistants"
    # Unique whatever the case, in the database too (two requests racing past the service's
    # check meet here). Python's casefold, not SQL lower(): SQLite's lower() is ASCII-only.
    __table_args__ = (sa.UniqueConstraint("team_id", "name_key", name="uq_assistants_name_key"),)

    id: Mapped[str] = mapped_column(sa.String(40), primary_key=True, default=lambda: new_id("asst"))
    team_id: Mapped[str] = mapped_column(sa.ForeignKey("teams.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    name_key: Mapped[str] = mapped_column(sa.String(400), default=_key_of_inserted)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    @validates("name")
    def _keep_key(self, _key: str, value: str) -> str:
        self.name_key = name_key(value)
        return value


class PhoneNumber(db.Model):
    __tablename__ = "phone_numbers"
    __table_args__ = (
        # A number is held by at most one team at a time; released/expired rows stay as history.
        sa.Index(
            "uq_phone_numbers_held_number",
            "phone_number",
            unique=True,
            postgresql_where=sa.text(check_in("status", HELD)),
            sqlite_where=sa.text(check_in("status", HELD)),
        ),
        sa.Index("ix_phone_numbers_team_created", "team_id", "created_at"),
        # The few numbers the over-limit sweep released lately, whose owners it tells.
        sa.Index(
            "ix_phone_numbers_over_limit_at",
            "over_limit_at",
            postgresql_where=sa.text("over_limit_at IS NOT NULL"),
            sqlite_where=sa.text("over_limit_at IS NOT NULL"),
        ),
        # The release sweep's queue: only numbers a person released while a grace window runs.
        sa.Index(
            "ix_phone_numbers_release_after",
            "release_after",
            postgresql_where=sa.text("release_after IS NOT NULL"),
            sqlite_where=sa.text("release_after IS NOT NULL"),
        ),
        sa.CheckConstraint(check_in("status", NumberStatus), name="status"),
        sa.CheckConstraint(check_in("number_type", NUMBER_TYPES), name="number_type"),
    )

    id: Mapped[str] = mapped_column(sa.String(40), primary_key=True, default=lambda: new_id("pn"))
    team_id: Mapped[str] = mapped_column(sa.ForeignKey("teams.id", ondelete="CASCADE"))
    # Always the canonical E.164 spelling (app.phone), so the unique index means one holder.
    phone_number: Mapped[str] = mapped_column(sa.String(20))
    provider: Mapped[str] = mapped_column(sa.String(20))
    provider_number_id: Mapped[str | None] = mapped_column(sa.String(64))
    provider_order_id: Mapped[str | None] = mapped_column(sa.String(64))
    # Sent with the provider order, so an order whose answer was lost can be found again.
    customer_reference: Mapped[str] = mapped_column(sa.String(64), unique=True)
    number_type: Mapped[str] = mapped_column(sa.String(20))
    country_code: Mapped[str] = mapped_column(sa.String(2))
    status: Mapped[str] = mapped_column(sa.String(20), default=NumberStatus.RESERVING)
    # Why a number is between states: "documents" (pending); "release", "expire" or
    # "scheduled" (releasing: a release waiting out its grace window, undoable).
    status_reason: Mapped[str | None] = mapped_column(sa.String(40))
    # When a person's release falls due (RELEASE_GRACE_MINUTES after they asked). Set from
    # then until the number is released (or the release undone): such a number no longer
    # counts toward the plan, even while the provider is still being asked.
    release_after: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # A pending order waiting for regulatory documents: when the provider cancels it unless
    # they are given, and when the team gave them (then the provider reviews them).
    documents_deadline: Mapped[datetime | None] = mapped_column(UTCDateTime)
    documents_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    is_trial: Mapped[bool] = mapped_column(default=False)
    trial_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # USD, as the search quoted them; null when nobody quoted a price (never shown as zero).
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
    activated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    released_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # An owner chose to keep it through the team's over-limit grace (app.plans.grace).
    kept: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    # When the over-limit sweep claimed it for release: its owners are emailed once it is
    # released, even by a later run if this one stopped half-way (app.plans.enforcement).
    over_limit_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    assistant: Mapped[Assistant | None] = relationship()
    created_by: Mapped[User | None] = relationship()

    @validates("phone_number")
    def _one_spelling(self, _key: str, value: str) -> str:
        # The services canonicalise first; this catches any path that forgets, since a second
        # spelling of a number would slip past the unique index as a second holder.
        if canonical(value) != value:
            raise ValueError(f"{value!r} is not a number in canonical E.164")
        return value

    @classmethod
    def live(cls, now: datetime) -> sa.ColumnElement[bool]:
        """Held, not a trial past its expiry and not released by a person (even while its
        grace window runs): what counts toward the plan and is shown live."""
        return sa.and_(
            cls.status.in_(HELD),
            cls.release_after.is_(None),
            sa.or_(cls.is_trial.is_(False), cls.trial_expires_at > now),
        )

    def is_live(self, now: datetime | None = None) -> bool:
        return (
            self.status in HELD
            and self.release_after is None
            and not self._trial_over(now or utcnow())
        )

    @property
    def release_scheduled(self) -> bool:
        """Released by a person and waiting out the grace window: Undo can still restore it."""
        return self.status == NumberStatus.RELEASING and self.status_reason == SCHEDULED

    def effective_status(self, now: datetime | None = None) -> str:
        """The lifecycle state, with a trial past its expiry read as expired before any job runs."""
        return effective_status(self.status, self.is_trial, self.trial_expires_at, now or utcnow())

    def public_status(self, now: datetime | None = None) -> str:
        """The contract's status word: pending while ordering, active, or expired."""
        return public_status(self.effective_status(now))

    def _trial_over(self, now: datetime) -> bool:
        return trial_over(self.is_trial, self.trial_expires_at, now)


# The same rules on plain column values, for reads that select columns rather than entities.
def trial_over(is_trial: bool, trial_expires_at: datetime | None, now: datetime) -> bool:
    return is_trial and trial_expires_at is not None and trial_expires_at <= now


def effective_status(
    status: str, is_trial: bool, trial_expires_at: datetime | None, now: datetime
) -> str:
    if status == NumberStatus.ACTIVE and trial_over(is_trial, trial_expires_at, now):
        return NumberStatus.EXPIRED
    return status


def public_status(effective: str) -> str:
    if effective in ORDERING:
        return "pending"
    return "active" if effective == NumberStatus.RELEASING else str(effective)
