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
    """The team's live numbers (held, trials not past their end) priced as they were bought."""
    paid = PhoneNumber.is_trial.is_(False)
    price = sa.case((paid, PhoneNumber.monthly_price), else_=None)
    rows = db.session.execute(
        sa.select(
            PhoneNumber.assistant_id,
            Assistant.name,
            sa.func.count(),
            sa.func.sum(price),
            sa.func.count(sa.case((sa.and_(paid, PhoneNumber.monthly_price.is_(None)), 1))),
            sa.func.count(sa.case((PhoneNumber.is_trial.is_(True), 1))),
        )
        .outerjoin(Assistant, Assistant.id == PhoneNumber.assistant_id)
        .where(
            PhoneNumber.team_id == team_id,
            PhoneNumber.live(now),
            PhoneNumber.status.not_in(ORDERING),
        )
        .group_by(PhoneNumber.assistant_id, Assistant.name)
    ).all()
    pending, pending_total = db.session.execute(
        sa.select(sa.func.count(), sa.func.sum(price)).where(
            PhoneNumber.team_id == team_id,
            PhoneNumber.live(now),
            PhoneNumber.status.in_(ORDERING),
        )
    ).one()
    per_assistant = sorted(
        (
            Cost(assistant_id, name, count, _money(total), unpriced)
            for assistant_id, name, count, total, unpriced, _trials in rows
        ),
        # Named assistants by name, then the unassigned numbers last.
        key=lambda cost: (cost.assistant_id is None, (cost.assistant_name or "").lower()),
    )
    return Costs(
        monthly=sum((cost.monthly for cost in per_assistant), ZERO),
        numbers=sum(cost.numbers for cost in per_assistant),
        unpriced=sum(cost.unpriced for cost in per_assistant),
        trials=sum(row[5] for row in rows),
        per_assistant=per_assistant,
        pending=pending,
        pending_monthly=_money(pending_total),
    )


def _money(total: object) -> Decimal:
    # SQLite sums NUMERIC as a float: round to cents through its text, never through binary.
    return ZERO if total is None else Decimal(str(total)).quantize(ZERO)
