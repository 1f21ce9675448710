"""Reading the live server's database in the MCP tests."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from app.extensions import db
from app.models import PhoneNumber, PurchaseQuote, PurchaseRequest


def numbers_of(app, team_id: str) -> list[tuple[str, str, str | None, str | None]]:
    """The team's numbers as (number, status, setup price, monthly price)."""
    with app.app_context():
        rows = db.session.execute(
            sa.select(
                PhoneNumber.phone_number,
                PhoneNumber.status,
                PhoneNumber.setup_price,
                PhoneNumber.monthly_price,
            )
            .where(PhoneNumber.team_id == team_id)
            .order_by(PhoneNumber.phone_number)
        )
        return [
            (n, s, str(setup) if setup else None, str(m) if m else None) for n, s, setup, m in rows
        ]


def requests_of(app, team_id: str) -> list[tuple[str, str, str | None, str | None]]:
    with app.app_context():
        rows = db.session.execute(
            sa.select(
                PurchaseRequest.phone_number,
                PurchaseRequest.status,
                PurchaseRequest.setup_price,
                PurchaseRequest.monthly_price,
            ).where(PurchaseRequest.team_id == team_id)
        )
        return [(n, s, str(setup), str(m)) for n, s, setup, m in rows]


def quote_used(app, quote_id: str) -> bool:
    with app.app_context():
        return db.session.get(PurchaseQuote, quote_id).used_at is not None


def age_quote(app, quote_id: str, by: timedelta) -> None:
    """Move the quote's end into the past (as if `by` had passed since it was made)."""
    with app.app_context():
        quote = db.session.get(PurchaseQuote, quote_id)
        quote.expires_at -= by
        quote.created_at -= by
        db.session.commit()
