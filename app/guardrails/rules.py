"""The guardrails' rules: what a purchase costs, what the team spent this month, the cap, and
when a member's purchase waits for approval; and how each refusal is worded.

A purchase checks these under the team's lock (app.numbers.purchasing), after the plan, so
purchases racing for the last dollars of a cap are serialised: one passes, the rest are
refused. The pages read the same rules to show the month's spend.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

import sqlalchemy as sa

from app.accounts.roles import Actor, Permission
from app.exceptions import SpendCapReached
from app.extensions import db
from app.models import PhoneNumber, Team, utcnow

CENT = Decimal("0.01")
ZERO = Decimal("0.00")


class ApprovalRequired(Exception):
    """Not an error: the purchase waits for an owner's or admin's approval instead.

    Raised under the lock, its transaction rolled back; app.guardrails.requests turns it
    into a purchase request. `cost` is None for a number with no quoted price.
    """

    def __init__(self, spent: Decimal, cost: Decimal | None):
        super().__init__("approval required")
        self.spent, self.cost = spent, cost


def month_start(now: datetime) -> datetime:
    """The first moment of `now`'s calendar month, UTC: the cap's month."""
    return now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)


def _spent_rows(team_id: str, since: datetime) -> sa.Select:
    """Setup and first month of the team's numbers bought since then (trials are free).

    A number bought and released since still cost what it cost; an order that failed left
    no row, so cost nothing. A number bought with no quoted price is counted apart.
    """
    cost = sa.func.coalesce(PhoneNumber.setup_price, 0) + sa.func.coalesce(
        PhoneNumber.monthly_price, 0
    )
    unpriced = sa.or_(PhoneNumber.setup_price.is_(None), PhoneNumber.monthly_price.is_(None))
    return sa.select(sa.func.sum(cost), sa.func.count().filter(unpriced)).where(
        PhoneNumber.team_id == team_id,
        PhoneNumber.is_trial.is_(False),
        PhoneNumber.created_at >= since,
    )


def spent_this_month(team_id: str, now: datetime) -> tuple[Decimal, int]:
    """(USD spent this calendar month, numbers bought without a quoted price)."""
    total, unpriced = db.session.execute(_spent_rows(team_id, month_start(now))).one()
    return usd(total) or ZERO, unpriced


def usd(amount: object) -> Decimal | None:
    # SQLite sums NUMERIC as a float: round to cents through its text, never through binary.
    return None if amount is None else Decimal(str(amount)).quantize(CENT)


def money(amount: Decimal | None) -> str | None:
    """An amount as the API writes it: "48.00"."""
    return None if amount is None else str(amount.quantize(CENT))


def purchase_cost(monthly: object, setup: object, *, trial: bool) -> Decimal | None:
    """What buying the number costs this month: setup and the first month (a trial: nothing;
    None when it has no quoted price)."""
    if trial:
        return ZERO
    if monthly is None or setup is None:
        return None
    return usd(Decimal(str(monthly)) + Decimal(str(setup)))


@dataclass(frozen=True)
class Limits:
    """A team's guardrails as they stand: the monthly cap, and when members' purchases wait."""

    cap: Decimal | None = None
    approval_required: bool = False
    approval_above: Decimal | None = None

    @classmethod
    def of(cls, team: Team) -> Limits:
        return cls(team.spend_cap, team.approval_required, team.approval_above)

    @property
    def on(self) -> bool:
        return self.cap is not None or self.approval_required

    def over_cap(self, spent: Decimal, cost: Decimal | None) -> bool:
        """Whether the purchase would pass the cap (a free one never does; an unpriced one,
        under a cap, cannot be shown not to)."""
        if self.cap is None or cost == ZERO:
            return False
        return cost is None or spent + cost > self.cap

    def waits(self, actor: Actor, spent: Decimal, cost: Decimal | None) -> bool:
        """Whether the actor's purchase waits for approval: a member's, when approvals are on
        (with an amount, only one that takes this month's spend past it; an unknown price
        cannot be shown to stay under it). Owners' and admins' own purchases never wait."""
        if not self.approval_required or actor.can(Permission.APPROVE_PURCHASES):
            return False
        if self.approval_above is None or cost is None:
            return True
        return spent + cost > self.approval_above


def check_purchase(
    actor: Actor, team: Team, phone_number: str, spent: Decimal, cost: Decimal | None
) -> None:
    """Refuse a purchase past the cap (SpendCapReached), or send it for approval
    (ApprovalRequired); `team` and `spent` as read under the team's lock."""
    limits = Limits.of(team)
    if limits.over_cap(spent, cost):
        message = cap_message(actor, phone_number, spent, cost)
        raise SpendCapReached(message, spending_json(limits.cap, spent, cost))
    if limits.waits(actor, spent, cost):
        raise ApprovalRequired(spent, cost)


def cap_message(
    actor: Actor, phone_number: str, spent: Decimal, cost: Decimal | None, what: str = ""
) -> str:
    """Why the cap refuses, and the way on for this person; `what` names the purchase
    ("These 3 numbers"), `phone_number` the number whose price is unknown (`cost` None)."""
    team = actor.team
    cap = team.spend_cap
    way_on = (
        "Raise the cap in the team's settings."
        if actor.can(Permission.SET_GUARDRAILS)
        else "Ask an owner to raise the cap."
    )
    if cost is None:
        return (
            f"{phone_number} has no quoted price, so it cannot be checked against "
            f"{team.name}'s monthly spend cap of ${cap:,.2f}: search for it again to see its "
            f"price. {way_on}"
        )
    left = max(ZERO, cap - spent)
    return (
        f"{what or 'This purchase'} (${cost:,.2f}: setup and first month) would take "
        f"{team.name}'s spending this month to ${spent + cost:,.2f}, past its monthly cap of "
        f"${cap:,.2f} (${spent:,.2f} spent, ${left:,.2f} left). {way_on}"
    )


def spending_json(cap: Decimal, spent: Decimal, cost: Decimal | None) -> dict[str, str | None]:
    """The refusal's `spending` object."""
    return {"cap": money(cap), "spent": money(spent), "thisPurchase": money(cost)}


@dataclass(frozen=True)
class Spending:
    """The month's spend beside the guardrails, as the pages and the API show it."""

    month: datetime
    spent: Decimal
    unpriced: int  # numbers bought this month with no quoted price: not in `spent`
    limits: Limits

    @property
    def cap(self) -> Decimal | None:
        return self.limits.cap

    @property
    def left(self) -> Decimal | None:
        return None if self.cap is None else max(ZERO, self.cap - self.spent)

    @property
    def reached(self) -> bool:
        return self.cap is not None and self.spent >= self.cap

    def fits(self, monthly: object, setup: object, *, trial: bool = False) -> bool:
        """Whether an offer at these prices stays within the cap, as far as is known now."""
        return not self.limits.over_cap(self.spent, purchase_cost(monthly, setup, trial=trial))

    def waits(self, actor: Actor, monthly: object, setup: object, *, trial: bool = False) -> bool:
        """Whether the actor's Buy of an offer at these prices would be sent for approval."""
        return self.limits.waits(actor, self.spent, purchase_cost(monthly, setup, trial=trial))


def spending(team: Team, now: datetime | None = None) -> Spending:
    now = now or utcnow()
    spent, unpriced = spent_this_month(team.id, now)
    return Spending(month_start(now), spent, unpriced, Limits.of(team))
