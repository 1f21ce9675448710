"""A number's caller-ID name (CNAM) and where its listing stands, and a number waiting to be
replaced by one in the team's cart."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.ids import new_id
from app.models.base import UTCDateTime, check_in, utcnow


class CallerNameState(StrEnum):
    SUBMITTED = "submitted"  # sent; the provider has not confirmed it holds the name yet
    PROPAGATING = "propagating"  # the provider holds it; carriers' CNAM databases take days
    LISTED = "listed"
    FAILED = "failed"  # refused or lost on the way: `detail` says why


class CallerName(db.Model):
    """The name a number shows to the people it calls; one per number, the latest asked for."""

    __tablename__ = "caller_names"
    __table_args__ = (
        sa.CheckConstraint(check_in("state", CallerNameState), name="state"),
        # The periodic check reads only names still on their way.
        sa.Index(
            "ix_caller_names_in_progress",
            "checked_at",
            postgresql_where=sa.text("state IN ('submitted', 'propagating')"),
            sqlite_where=sa.text("state IN ('submitted', 'propagating')"),
        ),
    )

    phone_number_id: Mapped[str] = mapped_column(
        sa.ForeignKey("phone_numbers.id", ondelete="CASCADE"), primary_key=True
    )
    team_id: Mapped[str] = mapped_column(sa.ForeignKey("teams.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(sa.String(15))
    state: Mapped[str] = mapped_column(sa.String(12), default=CallerNameState.SUBMITTED)
    detail: Mapped[str | None] = mapped_column(sa.String(300))
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The end of the carriers' 24-72 hour spread: the date shown while it propagates.
    expect_by: Mapped[datetime] = mapped_column(UTCDateTime)
    listed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    checked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class ReplacementStatus(StrEnum):
    WAITING = "waiting"  # the new number is in the cart (or being ordered)
    DONE = "done"  # bought: it took the old one's place, the old one is being released


class NumberReplacement(db.Model):
    """A number in the team's cart bought to take an old number's place.

    Once it is bought and active, it takes the old number's campaign, assistant and routing,
    and the old number's release is scheduled (with the release grace: Undo works).
    """

    __tablename__ = "number_replacements"
    __table_args__ = (
        sa.CheckConstraint(check_in("status", ReplacementStatus), name="status"),
        sa.Index("ix_number_replacements_team_number", "team_id", "phone_number"),
        # One replacement waits per old number: a second Replace answers the first.
        sa.Index(
            "uq_number_replacements_waiting_old",
            "old_number_id",
            unique=True,
            postgresql_where=sa.text("status = 'waiting'"),
            sqlite_where=sa.text("status = 'waiting'"),
        ),
    )

    id: Mapped[str] = mapped_column(sa.String(40), primary_key=True, default=lambda: new_id("repl"))
    team_id: Mapped[str] = mapped_column(sa.ForeignKey("teams.id", ondelete="CASCADE"))
    old_number_id: Mapped[str] = mapped_column(
        sa.ForeignKey("phone_numbers.id", ondelete="CASCADE")
    )
    # The replacement, canonical E.164; its row once bought.
    phone_number: Mapped[str] = mapped_column(sa.String(20))
    new_number_id: Mapped[str | None] = mapped_column(
        sa.ForeignKey("phone_numbers.id", ondelete="SET NULL")
    )
    status: Mapped[str] = mapped_column(sa.String(10), default=ReplacementStatus.WAITING)
    created_by_id: Mapped[str | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
