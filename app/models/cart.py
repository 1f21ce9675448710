"""A team's cart of held numbers, and the orders that bought several numbers at once."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.ids import new_id
from app.models.base import UTCDateTime, utcnow


class CartItem(db.Model):
    """A number held for a team until `expires_at`, with what the search quoted for it.

    The unique number means one team holds it at a time; a hold past its expiry is
    deleted before anyone else holds the number.
    """

    __tablename__ = "cart_items"
    __table_args__ = (
        sa.Index("ix_cart_items_team_expires", "team_id", "expires_at"),
        # A person's live holds across their teams (app.numbers.cart: a cap per person).
        sa.Index("ix_cart_items_holder_expires", "held_by_id", "expires_at"),
    )

    id: Mapped[str] = mapped_column(sa.String(40), primary_key=True, default=lambda: new_id("hold"))
    team_id: Mapped[str] = mapped_column(sa.ForeignKey("teams.id", ondelete="CASCADE"))
    phone_number: Mapped[str] = mapped_column(sa.String(20), unique=True)
    provider: Mapped[str] = mapped_column(sa.String(20))
    # The provider's hold (a Telnyx number reservation id); null where it keeps none.
    provider_hold_id: Mapped[str | None] = mapped_column(sa.String(64))
    country_code: Mapped[str] = mapped_column(sa.String(2))
    number_type: Mapped[str] = mapped_column(sa.String(20))
    place: Mapped[str] = mapped_column(sa.String(120), default="")
    features: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    monthly_price: Mapped[Decimal | None] = mapped_column(sa.Numeric(10, 2))
    setup_price: Mapped[Decimal | None] = mapped_column(sa.Numeric(10, 2))
    held_by_id: Mapped[str | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)


class NumberOrder(db.Model):
    """One "buy these numbers" request and what became of each number in it.

    `results` is a list of {"phoneNumber", "status" (bought | pending | unavailable |
    failed), "phoneNumberId", "message"}: written once, when every number has an outcome.
    """

    __tablename__ = "number_orders"
    __table_args__ = (sa.Index("ix_number_orders_team_created", "team_id", "created_at"),)

    id: Mapped[str] = mapped_column(sa.String(40), primary_key=True, default=lambda: new_id("ord"))
    team_id: Mapped[str] = mapped_column(sa.ForeignKey("teams.id", ondelete="CASCADE"))
    created_by_id: Mapped[str | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    results: Mapped[list[dict]] = mapped_column(sa.JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
