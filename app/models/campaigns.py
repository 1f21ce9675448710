"""Campaigns: named pools of a team's numbers that assistants call out from, and what the
caller-ID selector remembers (each number's use today, each recipient's last number)."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from app.extensions import db
from app.ids import new_id
from app.models.base import UTCDateTime, utcnow
from app.models.numbers import name_key


def _key_of_inserted(context) -> str:
    return name_key(context.get_current_parameters()["name"])


class Campaign(db.Model):
    __tablename__ = "campaigns"
    __table_args__ = (sa.UniqueConstraint("team_id", "name_key", name="uq_campaigns_name_key"),)

    id: Mapped[str] = mapped_column(sa.String(40), primary_key=True, default=lambda: new_id("camp"))
    team_id: Mapped[str] = mapped_column(sa.ForeignKey("teams.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    name_key: Mapped[str] = mapped_column(sa.String(400), default=_key_of_inserted)
    paused: Mapped[bool] = mapped_column(default=False)
    # Selections a number may take per UTC day, and the seconds between two of them.
    daily_cap: Mapped[int] = mapped_column(default=100)
    cooldown_seconds: Mapped[int] = mapped_column(default=0)
    # The destinations' area codes the campaign will call, with how many of each
    # ({"415": 12}); numbers themselves are not kept. Null until a list is posted.
    coverage: Mapped[dict[str, int] | None] = mapped_column(sa.JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    assistants: Mapped[list[CampaignAssistant]] = relationship(
        cascade="all, delete-orphan", passive_deletes=True
    )

    @validates("name")
    def _keep_key(self, _key: str, value: str) -> str:
        self.name_key = name_key(value)
        return value


class CampaignAssistant(db.Model):
    """An assistant that calls out from the campaign's pool."""

    __tablename__ = "campaign_assistants"

    campaign_id: Mapped[str] = mapped_column(
        sa.ForeignKey("campaigns.id", ondelete="CASCADE"), primary_key=True
    )
    assistant_id: Mapped[str] = mapped_column(
        sa.ForeignKey("assistants.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class CampaignNumber(db.Model):
    """A number in a campaign (in one at most: the number is the key), with the place the
    selector matches on and its use today, counted by one conditional UPDATE per selection."""

    __tablename__ = "campaign_numbers"
    __table_args__ = (
        sa.Index("ix_campaign_numbers_campaign_area", "campaign_id", "area_code"),
        sa.Index("ix_campaign_numbers_campaign_region", "campaign_id", "region"),
    )

    phone_number_id: Mapped[str] = mapped_column(
        sa.ForeignKey("phone_numbers.id", ondelete="CASCADE"), primary_key=True
    )
    campaign_id: Mapped[str] = mapped_column(sa.ForeignKey("campaigns.id", ondelete="CASCADE"))
    team_id: Mapped[str] = mapped_column(sa.ForeignKey("teams.id", ondelete="CASCADE"))
    country: Mapped[str] = mapped_column(sa.String(2))
    area_code: Mapped[str | None] = mapped_column(sa.String(3))
    region: Mapped[str | None] = mapped_column(sa.String(6))
    used_on: Mapped[date | None] = mapped_column(sa.Date)
    used_today: Mapped[int] = mapped_column(default=0)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The selector skips the number until then (the number's health may rest it).
    rest_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    added_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class CampaignRecipient(db.Model):
    """The number a recipient was last called from, so they keep seeing the same one.
    The recipient is kept as a keyed hash, never in the clear."""

    __tablename__ = "campaign_recipients"

    campaign_id: Mapped[str] = mapped_column(
        sa.ForeignKey("campaigns.id", ondelete="CASCADE"), primary_key=True
    )
    recipient_hash: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    phone_number_id: Mapped[str] = mapped_column(
        sa.ForeignKey("phone_numbers.id", ondelete="CASCADE")
    )
    chosen_at: Mapped[datetime] = mapped_column(UTCDateTime)
