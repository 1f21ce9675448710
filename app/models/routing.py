"""Where calls go: an assistant's destination, each number's routing rules, and the call log.

Rules live in their own tables beside the number, so `phone_numbers.assistant_id` stays what
it always was: the one assistant answering (the list's `assistant_id`). A weighted split
between several assistants is a set of `routing_splits` rows; the number's `assistant_id`
then names the heaviest of them, so clients that know only one assistant still see one.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.ids import new_id
from app.models.base import UTCDateTime, check_in, utcnow

# Where an assistant answers: a SIP address (its voice platform's), a phone number calls are
# forwarded to, or an https webhook of the team's own agent server.
DESTINATION_KINDS = ("sip", "phone", "webhook")
# Where a number's fallback and after-hours calls go: something that rings, never a webhook.
FALLBACK_KINDS = ("sip", "phone")
PLATFORMS = ("vapi", "retell", "livekit", "pipecat", "other")
OUTCOMES = ("answered", "fallback", "rejected", "failed", "no_destination")
DIRECTIONS = ("inbound", "outbound")


class AssistantDestination(db.Model):
    __tablename__ = "assistant_destinations"
    __table_args__ = (
        sa.CheckConstraint(check_in("kind", DESTINATION_KINDS), name="kind"),
        sa.CheckConstraint(
            f"platform IS NULL OR {check_in('platform', PLATFORMS)}", name="platform"
        ),
    )

    assistant_id: Mapped[str] = mapped_column(
        sa.ForeignKey("assistants.id", ondelete="CASCADE"), primary_key=True
    )
    team_id: Mapped[str] = mapped_column(sa.ForeignKey("teams.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(sa.String(10))
    address: Mapped[str] = mapped_column(sa.String(500))
    sip_username: Mapped[str | None] = mapped_column(sa.String(200))
    # Fernet ciphertext (app.routing.secrets), never the password itself.
    sip_password: Mapped[str | None] = mapped_column(sa.Text)
    platform: Mapped[str | None] = mapped_column(sa.String(20))
    platform_id: Mapped[str | None] = mapped_column(sa.String(200))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class NumberRouting(db.Model):
    """A number's rules beyond its assistant; a number without a row routes to its assistant."""

    __tablename__ = "number_routing"
    __table_args__ = (
        sa.CheckConstraint(
            f"fallback_kind IS NULL OR {check_in('fallback_kind', FALLBACK_KINDS)}",
            name="fallback_kind",
        ),
        sa.CheckConstraint(
            f"after_hours_kind IS NULL OR {check_in('after_hours_kind', FALLBACK_KINDS)}",
            name="after_hours_kind",
        ),
        # One team-wide default caller ID at most.
        sa.Index(
            "uq_number_routing_team_default",
            "team_id",
            unique=True,
            postgresql_where=sa.text("team_default_caller"),
            sqlite_where=sa.text("team_default_caller"),
        ),
    )

    phone_number_id: Mapped[str] = mapped_column(
        sa.ForeignKey("phone_numbers.id", ondelete="CASCADE"), primary_key=True
    )
    team_id: Mapped[str] = mapped_column(sa.ForeignKey("teams.id", ondelete="CASCADE"), index=True)
    fallback_kind: Mapped[str | None] = mapped_column(sa.String(10))
    fallback_address: Mapped[str | None] = mapped_column(sa.String(500))
    # Seconds the assistant has to answer before the call goes to the fallback.
    answer_timeout: Mapped[int] = mapped_column(default=20)
    # E.164 numbers and prefixes ("+1900") whose calls are rejected.
    blocklist: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    # ISO 3166 alpha-2 countries callers may call from; empty: everywhere.
    allowed_countries: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    time_zone: Mapped[str] = mapped_column(sa.String(64), default="UTC")
    # Opening hours [{"day": "mon", "start": "09:00", "end": "17:00"}]; empty: always open.
    hours: Mapped[list[dict]] = mapped_column(sa.JSON, default=list)
    after_hours_kind: Mapped[str | None] = mapped_column(sa.String(10))
    after_hours_address: Mapped[str | None] = mapped_column(sa.String(500))
    # False: the number's inbound assistants may call from it; True: exactly routing_callers.
    outbound_custom: Mapped[bool] = mapped_column(default=False)
    team_default_caller: Mapped[bool] = mapped_column(default=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class RoutingSplit(db.Model):
    """One assistant's share of a number's inbound calls (the shares sum to 100)."""

    __tablename__ = "routing_splits"
    __table_args__ = (sa.CheckConstraint("weight BETWEEN 1 AND 100", name="weight"),)

    phone_number_id: Mapped[str] = mapped_column(
        sa.ForeignKey("phone_numbers.id", ondelete="CASCADE"), primary_key=True
    )
    assistant_id: Mapped[str] = mapped_column(
        sa.ForeignKey("assistants.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    weight: Mapped[int]
    position: Mapped[int] = mapped_column(default=0)


class RoutingCaller(db.Model):
    """An assistant allowed to call out with the number as its caller ID."""

    __tablename__ = "routing_callers"

    phone_number_id: Mapped[str] = mapped_column(
        sa.ForeignKey("phone_numbers.id", ondelete="CASCADE"), primary_key=True
    )
    assistant_id: Mapped[str] = mapped_column(
        sa.ForeignKey("assistants.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class Call(db.Model):
    """One routed call, simulated (a routing test) or real (a provider's call id)."""

    __tablename__ = "calls"
    __table_args__ = (
        sa.CheckConstraint(check_in("outcome", OUTCOMES), name="outcome"),
        sa.CheckConstraint(check_in("direction", DIRECTIONS), name="direction"),
        # A provider's retried webhook finds the call it already logged.
        sa.UniqueConstraint("provider", "provider_call_id", name="uq_calls_provider_call"),
        # The log's keyset paging: newest first, per team, per number, per assistant.
        sa.Index("ix_calls_team_started", "team_id", "started_at", "id"),
        sa.Index("ix_calls_number_started", "phone_number_id", "started_at", "id"),
        sa.Index("ix_calls_assistant_started", "assistant_id", "started_at", "id"),
    )

    id: Mapped[str] = mapped_column(sa.String(40), primary_key=True, default=lambda: new_id("call"))
    team_id: Mapped[str] = mapped_column(sa.ForeignKey("teams.id", ondelete="CASCADE"))
    phone_number_id: Mapped[str | None] = mapped_column(
        sa.ForeignKey("phone_numbers.id", ondelete="SET NULL")
    )
    # The number as it was called, kept should the number's row go.
    number: Mapped[str] = mapped_column(sa.String(20))
    assistant_id: Mapped[str | None] = mapped_column(
        sa.ForeignKey("assistants.id", ondelete="SET NULL")
    )
    assistant_name: Mapped[str | None] = mapped_column(sa.String(120))
    direction: Mapped[str] = mapped_column(sa.String(10), default="inbound")
    from_number: Mapped[str] = mapped_column(sa.String(40))
    to_number: Mapped[str] = mapped_column(sa.String(40))
    outcome: Mapped[str] = mapped_column(sa.String(20))
    # The rule that decided (blocklist, country, hours, split, assistant, none) and where to.
    rule: Mapped[str | None] = mapped_column(sa.String(20))
    destination: Mapped[str | None] = mapped_column(sa.String(500))
    provider: Mapped[str] = mapped_column(sa.String(20))
    provider_call_id: Mapped[str | None] = mapped_column(sa.String(128))
    is_test: Mapped[bool] = mapped_column(default=False)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    duration_seconds: Mapped[int | None]
    detail: Mapped[str | None] = mapped_column(sa.String(300))
    # A real call being routed at the provider (app.calls.control): "transferring" to the
    # decided destination, "fallback" once sent to the fallback, "bridged", "ended".
    control_state: Mapped[str | None] = mapped_column(sa.String(20))
    # Where the call goes if the transfer fails or is not answered in time (kept from the
    # decision, so a later event needs no second decision).
    fallback_kind: Mapped[str | None] = mapped_column(sa.String(10))
    fallback_address: Mapped[str | None] = mapped_column(sa.String(500))
