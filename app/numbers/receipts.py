"""What an order charged: setup and the first month of each number it bought, when, and by whom.

The prices are the ones each number was bought at (kept on the number from the search's quote),
so a receipt reads the same after the provider changes its price list. A trial costs nothing;
a number bought without a quoted price is counted apart, never as $0.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

import sqlalchemy as sa

from app.extensions import db
from app.guardrails.rules import ZERO, purchase_cost
from app.models import NumberOrder, PhoneNumber, User
from app.numbers.orders import BOUGHT, PENDING


@dataclass(frozen=True)
class ReceiptLine:
    """One number of the order that was bought (or is being completed) and what it costs."""

    phone_number: str
    number_id: str
    status: str  # bought | pending
    trial: bool
    setup: Decimal | None
    monthly: Decimal | None

    @property
    def charged(self) -> Decimal | None:
        """Setup and the first month; nothing for a trial; None with no quoted price."""
        return purchase_cost(self.monthly, self.setup, trial=self.trial)


@dataclass(frozen=True)
class Receipt:
    order_id: str
    created_at: datetime
    buyer: str  # the person's name or email; "someone who has left" once they are gone
    lines: list[ReceiptLine]

    @property
    def total(self) -> Decimal:
        """The priced lines' sum (unpriced ones are named apart, see `unpriced`)."""
        return sum((line.charged for line in self.lines if line.charged is not None), ZERO)

    @property
    def unpriced(self) -> int:
        return sum(1 for line in self.lines if line.charged is None)

    @property
    def assignable_ids(self) -> list[str]:
        """The bought numbers an assistant can be put on next (not those still ordering)."""
        return [line.number_id for line in self.lines if line.status == BOUGHT]


def order_receipt(order: NumberOrder) -> Receipt:
    """The order's receipt, from the numbers it bought."""
    ids = [
        r["phoneNumberId"]
        for r in order.results
        if r["status"] in (BOUGHT, PENDING) and r.get("phoneNumberId")
    ]
    numbers = {
        n.id: n
        for n in db.session.scalars(
            sa.select(PhoneNumber).where(
                PhoneNumber.id.in_(ids), PhoneNumber.team_id == order.team_id
            )
        )
    }
    lines = [
        ReceiptLine(
            number.phone_number,
            number.id,
            result["status"],
            number.is_trial,
            number.setup_price,
            number.monthly_price,
        )
        for result in order.results
        if (number := numbers.get(result.get("phoneNumberId") or ""))
    ]
    buyer = db.session.get(User, order.created_by_id) if order.created_by_id else None
    who = (buyer.name or buyer.email) if buyer else "someone who has left"
    return Receipt(order.id, order.created_at, who, lines)
