"""What a team's numbers cost each month: in all, and per assistant answering on them.

Numbers still being ordered (a regulated order can wait days for documents, and may be
cancelled) are counted apart: they cost nothing until the provider completes them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

import sqlalchemy as sa

from app.extensions import db
from app.models import ORDERING, Assistant, PhoneNumber

ZERO = Decimal("0.00")


@dataclass(frozen=True)
class Cost:
    """Numbers answered by one assistant (or by none: `assistant_id` None) and their price."""

    assistant_id: str | None
    assistant_name: str | None
    numbers: int
    monthly: Decimal
    unpriced: int  # no price was quoted for these: left out of `monthly`, never read as zero


@dataclass(frozen=True)
class Costs:
    monthly: Decimal
    numbers: int
    unpriced: int
    trials: int  # a trial costs nothing while it lasts
    per_assistant: list[Cost]
    pending: int = 0  # numbers still being ordered: not in the figures above
    pending_monthly: Decimal = ZERO  # what they will add a month once they complete


def monthly_costs(team_id: str, now: datetime) -> Costs:
    """The team's live numbers (held, trials not past their end) priced as they were bought;
    those still being ordered apart. One query: the numbers page counts its queries."""
    paid = PhoneNumber.is_trial.is_(False)
    price = sa.case((paid, PhoneNumber.monthly_price), else_=None)
    ordering = PhoneNumber.status.in_(ORDERING)
    rows = db.session.execute(
        sa.select(
            PhoneNumber.assistant_id,
            Assistant.name,
            ordering,
            sa.func.count(),
            sa.func.sum(price),
            sa.func.count(sa.case((sa.and_(paid, PhoneNumber.monthly_price.is_(None)), 1))),
            sa.func.count(sa.case((PhoneNumber.is_trial.is_(True), 1))),
        )
        .outerjoin(Assistant, Assistant.id == PhoneNumber.assistant_id)
        .where(PhoneNumber.team_id == team_id, PhoneNumber.live(now))
        .group_by(PhoneNumber.assistant_id, Assistant.name, ordering)
    ).all()
    settled = [row for row in rows if not row[2]]
    waiting = [row for row in rows if row[2]]
    per_assistant = sorted(
        (
            Cost(assistant_id, name, count, _money(total), unpriced)
            for assistant_id, name, _ordering, count, total, unpriced, _trials in settled
        ),
        # Named assistants by name, then the unassigned numbers last.
        key=lambda cost: (cost.assistant_id is None, (cost.assistant_name or "").lower()),
    )
    return Costs(
        monthly=sum((cost.monthly for cost in per_assistant), ZERO),
        numbers=sum(cost.numbers for cost in per_assistant),
        unpriced=sum(cost.unpriced for cost in per_assistant),
        trials=sum(row[6] for row in settled),
        per_assistant=per_assistant,
        pending=sum(row[3] for row in waiting),
        pending_monthly=sum((_money(row[4]) for row in waiting), ZERO),
    )


def _money(total: object) -> Decimal:
    # SQLite sums NUMERIC as a float: round to cents through its text, never through binary.
    return ZERO if total is None else Decimal(str(total)).quantize(ZERO)
