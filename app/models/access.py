"""Ways into an account: signed-in sessions, sign-ups waiting for their email, invitations."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.ids import new_id
from app.models.accounts import Team, User
from app.models.base import Role, UTCDateTime, check_in, utcnow


class LoginSession(db.Model):
    """One signed-in browser. The session and remember cookies carry its token; deleting the
    row signs that browser out, whatever cookies it kept. Only the token's SHA-256 is stored."""

    __tablename__ = "login_sessions"

    token_hash: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    # What the sessions list names it by (a revoke button's URL): never the token or its hash.
    id: Mapped[str] = mapped_column(sa.String(40), unique=True, default=lambda: new_id("ses"))
    user_id: Mapped[str] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Where it was signed in from, for the sessions list; last_seen_at moves at most once a
    # minute, so a page view costs no write.
    user_agent: Mapped[str] = mapped_column(sa.String(300), default="", server_default="")
    ip: Mapped[str | None] = mapped_column(sa.String(45))
    last_seen_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Ended by someone else's act (revoked from another device, a password change): the row
    # stays until it would have expired, so the browser is told why it was signed out.
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    end_reason: Mapped[str | None] = mapped_column(sa.String(200))

    user: Mapped[User] = relationship()


class PendingSignup(db.Model):
    """A sign-up waiting for its address to be confirmed; the account is made from it then.

    One per address: signing up again replaces it, and the older emailed link stops working.
    """

    __tablename__ = "pending_signups"

    id: Mapped[str] = mapped_column(sa.String(40), primary_key=True, default=lambda: new_id("sgn"))
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    password_hash: Mapped[str] = mapped_column(sa.String(255))
    team_name: Mapped[str] = mapped_column(sa.String(120), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Invitation(db.Model):
    """An emailed invitation to join a team in a role; its link works once, until expires_at."""

    __tablename__ = "invitations"
    __table_args__ = (sa.CheckConstraint(check_in("role", Role), name="role"),)

    id: Mapped[str] = mapped_column(sa.String(40), primary_key=True, default=lambda: new_id("inv"))
    team_id: Mapped[str] = mapped_column(sa.ForeignKey("teams.id", ondelete="CASCADE"), index=True)
    email: Mapped[str] = mapped_column(sa.String(254))
    role: Mapped[str] = mapped_column(sa.String(20), default=Role.MEMBER)
    invited_by_id: Mapped[str | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # Set once: accepted, or revoked (by a person, or by a newer invitation to the same address).
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    team: Mapped[Team] = relationship()
    invited_by: Mapped[User | None] = relationship()

    def is_open(self, now: datetime | None = None) -> bool:
        """Neither used nor revoked, and not expired."""
        return (
            self.accepted_at is None
            and self.revoked_at is None
            and self.expires_at > (now or utcnow())
        )
