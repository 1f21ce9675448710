"""Teams, the people in them, and their API tokens."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import sqlalchemy as sa
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.ids import new_id
from app.models.base import Role, UTCDateTime, check_in, utcnow
from app.plans.catalog import DEFAULT_PLAN, PLAN_KEYS


class Team(db.Model):
    __tablename__ = "teams"
    __table_args__ = (
        sa.CheckConstraint(check_in("plan", PLAN_KEYS), name="plan"),
        sa.CheckConstraint("custom_limit IS NULL OR custom_limit > 0", name="custom_limit"),
        # Teams a person founded lately (app.accounts.teams: a few a day per person).
        sa.Index("ix_teams_founder_created", "founder_id", "created_at"),
    )

    id: Mapped[str] = mapped_column(sa.String(40), primary_key=True, default=lambda: new_id("team"))
    name: Mapped[str] = mapped_column(sa.String(120))
    plan: Mapped[str] = mapped_column(sa.String(20), default=DEFAULT_PLAN)
    # Set when a trial number becomes active: a team gets one trial, ever.
    trial_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Bumped under the purchase lock; the UPDATE itself is what serialises purchases.
    purchase_seq: Mapped[int] = mapped_column(default=0, server_default="0")
    # Moves on with every change to what the team's pages show, in the same transaction
    # (app.accounts.team_version, by itself): lists and pages cached or tagged with an older
    # version are stale.
    version: Mapped[int] = mapped_column(default=0, server_default="0")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The billing provider's customer and live subscription (Stripe); null in the sandbox.
    billing_customer_id: Mapped[str | None] = mapped_column(sa.String(100), unique=True)
    billing_subscription_id: Mapped[str | None] = mapped_column(sa.String(100))
    # When the provider made the last billing event applied: an older one arriving late is
    # ignored, so a delayed "updated" never undoes a newer "deleted".
    billing_event_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The subscription's last status from the provider ("active", "unpaid", "paused", ...):
    # an unpaid or paused one is still the team's, to be paid or resumed in the portal.
    billing_status: Mapped[str | None] = mapped_column(sa.String(30))
    # The one Checkout Session open for the team: a new one expires it first, so two owners
    # (or one, twice) cannot both pay for a subscription.
    billing_checkout_id: Mapped[str | None] = mapped_column(sa.String(100))
    # Spending guardrails (app.guardrails), all off by default. The monthly cap is USD of
    # setup and first month of the numbers bought this calendar month (UTC); null: no cap.
    spend_cap: Mapped[Decimal | None] = mapped_column(sa.Numeric(10, 2))
    # Members' purchases wait for an owner's or admin's approval (purchase_requests); with
    # approval_above, only those that take this month's spend past that amount.
    approval_required: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    approval_above: Mapped[Decimal | None] = mapped_column(sa.Numeric(10, 2))
    # Who created the team from the dashboard or sign-up (null for teams made with the CLI):
    # the free trial is theirs, once per person (app.plans.trial_rights).
    founder_id: Mapped[str | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    # An operator's limit for this team alone, in place of its plan's (`flask teams
    # set-limit`); it belongs to the plan it was set on, so a change of plan clears it.
    custom_limit: Mapped[int | None]
    # Set while the team holds more numbers than its plan allows after a downgrade: when the
    # numbers beyond the limit that its owners did not keep are released (app.plans.grace).
    grace_ends_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    # The event types the team's enabled webhook endpoints take (",number.bought,"), kept
    # with the endpoints (app.events.endpoints): a change nobody listens for writes nothing
    # and asks nothing more (a purchase reads it in a statement it already makes).
    webhook_events: Mapped[str] = mapped_column(sa.String(1000), default="", server_default="")
    # Owners may require two-factor sign-in: members without it are sent to set it up before
    # any page of this team (app.dashboard.two_factor_gate).
    require_two_factor: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    # Someone in the team hid the getting-started checklist (app.accounts.onboarding).
    onboarding_dismissed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

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
    # When a trial number in a team this person founded became active: one trial per
    # person, whatever the number of teams (app.plans.trial_rights).
    trial_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Two-factor sign-in (app.accounts.two_factor): the TOTP secret (base32), set when setup
    # starts; it signs in only once totp_enabled_at is set (the first code was right).
    totp_secret: Mapped[str | None] = mapped_column(sa.String(64))
    totp_enabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The 30-second step of the last code accepted: a code (or an older one) is never taken twice.
    totp_last_step: Mapped[int | None] = mapped_column(sa.BigInteger)

    memberships: Mapped[list[Membership]] = relationship(
        back_populates="user", cascade="all, delete-orphan"
    )

    # The signed-in session this object was loaded for (app.accounts.sessions); not a column.
    session_token = None

    def get_id(self) -> str:
        """What Flask-Login keeps in the session and remember cookies: the session's token,
        never the user id, so a cookie stops working when its session is ended."""
        if not self.session_token:
            raise RuntimeError("Sign users in through app.accounts.sessions.open_session.")
        return self.session_token


class Membership(db.Model):
    __tablename__ = "memberships"
    __table_args__ = (sa.CheckConstraint(check_in("role", Role), name="role"),)

    user_id: Mapped[str] = mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    team_id: Mapped[str] = mapped_column(
        sa.ForeignKey("teams.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    role: Mapped[str] = mapped_column(sa.String(20), default=Role.MEMBER)
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
    # The scope names it was given (app.accounts.scopes). NULL: every scope its user's role
    # allows, including scopes added later (tokens made before scopes existed, and the demo's).
    scopes: Mapped[list[str] | None] = mapped_column(sa.JSON(none_as_null=True))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The client address of that use (written with last_used_at, at most once a minute).
    last_used_ip: Mapped[str | None] = mapped_column(sa.String(45))
    # Chosen when it is made (30, 90 or 365 days); null: it never expires.
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()


class RecoveryCode(db.Model):
    """A one-time code that stands in for an authenticator code; only its SHA-256 is kept."""

    __tablename__ = "recovery_codes"

    id: Mapped[str] = mapped_column(sa.String(40), primary_key=True, default=lambda: new_id("rc"))
    user_id: Mapped[str] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(sa.String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
