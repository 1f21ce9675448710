"""Purchase quotes: a price the server fixed for one number, for one team, for a few minutes.

An agent buys with a quote's id, never with a price of its own (app.numbers.quotes).
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.ids import new_id
from app.models.base import UTCDateTime, utcnow


class PurchaseQuote(db.Model):
    """The number, its setup and monthly price (USD, as every price here) and until when the
    quote holds; `used_at` is set once a purchase has taken it."""

    __tablename__ = "purchase_quotes"
    __table_args__ = (
        sa.Index("ix_purchase_quotes_team_created", "team_id", "created_at"),
        # Old quotes are deleted by age (app.numbers.quotes.forget_old_quotes).
        sa.Index("ix_purchase_quotes_expires_at", "expires_at"),
    )

    id: Mapped[str] = mapped_column(sa.String(40), primary_key=True, default=lambda: new_id("quo"))
    team_id: Mapped[str] = mapped_column(sa.ForeignKey("teams.id", ondelete="CASCADE"))
    # Whose quote it is: only they may buy with it (with any of their tokens that may buy).
    user_id: Mapped[str] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    token_id: Mapped[str | None] = mapped_column(
        sa.ForeignKey("api_tokens.id", ondelete="SET NULL")
    )
    phone_number: Mapped[str] = mapped_column(sa.String(20))
    monthly_price: Mapped[Decimal] = mapped_column(sa.Numeric(10, 2))
    setup_price: Mapped[Decimal] = mapped_column(sa.Numeric(10, 2))
    currency: Mapped[str] = mapped_column(sa.String(3), default="USD")
    # The currency the provider quoted in (converted to USD at PRICE_RATES).
    quoted_currency: Mapped[str] = mapped_column(sa.String(3), default="USD")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
