"""A month's statement, where no billing provider issues invoices (the sandbox).

A statement lists what the team's orders and plan came to in one calendar month (UTC): each
number bought (setup and first month, at the price it was bought at; a trial free; a number
with no quoted price named apart, never $0), the plan held when the month began, and each
change to a paid plan within it (its monthly price: the sandbox does not prorate). The
sandbox charges nothing: a statement shows what the same use would cost.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal

import sqlalchemy as sa

from app.audit import Action
from app.exceptions import NotFound
from app.extensions import db
from app.guardrails.rules import ZERO, purchase_cost
from app.models import AuditEvent, PhoneNumber, Team
from app.phone import national
from app.plans.catalog import PLANS

MONTH = re.compile(r"(\d{4})-(\d{2})")


@dataclass(frozen=True)
class StatementLine:
    when: datetime
    kind: str  # number | plan
    what: str
    who: str
    amount: Decimal | None  # None: bought with no quoted price


@dataclass(frozen=True)
class Statement:
    month: date  # its first day
    lines: list[StatementLine]

    @property
    def total(self) -> Decimal:
        return sum((line.amount for line in self.lines if line.amount is not None), ZERO)

    @property
    def unpriced(self) -> int:
        return sum(1 for line in self.lines if line.amount is None)

    @property
    def key(self) -> str:
        return self.month.strftime("%Y-%m")

    @property
    def title(self) -> str:
        return self.month.strftime("%B %Y")


def statement_months(team: Team, now: datetime) -> list[date]:
    """Every month from the team's first to this one, newest first."""
    first, last = _first_day(team.created_at), _first_day(now)
    months = []
    while last >= first:
        months.append(last)
        last = _previous(last)
    return months


def parse_month(team: Team, text: str, now: datetime) -> date:
    """ "2026-11" as the first of that month, if the team has a statement for it; else 404."""
    match = MONTH.fullmatch(text or "")
    month = None
    if match and 1 <= int(match[2]) <= 12 and int(match[1]) >= 1:
        month = date(int(match[1]), int(match[2]), 1)
    if month is None or month not in statement_months(team, now):
        raise NotFound("There is no statement for that month.")
    return month


def monthly_statement(team: Team, month: date) -> Statement:
    start, end = _moment(month), _moment(_next(month))
    lines = _plan_lines(team, start, end) + _number_lines(team.id, start, end)
    lines.sort(key=lambda line: line.when)
    return Statement(month, lines)


def _number_lines(team_id: str, start: datetime, end: datetime) -> list[StatementLine]:
    numbers = db.session.scalars(
        sa.select(PhoneNumber)
        .where(
            PhoneNumber.team_id == team_id,
            PhoneNumber.created_at >= start,
            PhoneNumber.created_at < end,
        )
        .order_by(PhoneNumber.created_at, PhoneNumber.id)
    )
    lines = []
    for number in numbers:
        buyer = number.created_by
        if number.is_trial:
            what = f"{national(number.phone_number)}: free trial"
        else:
            what = f"{national(number.phone_number)}: setup and first month"
        lines.append(
            StatementLine(
                number.created_at,
                "number",
                what,
                (buyer.name or buyer.email) if buyer else "",
                purchase_cost(number.monthly_price, number.setup_price, trial=number.is_trial),
            )
        )
    return lines


def _plan_lines(team: Team, start: datetime, end: datetime) -> list[StatementLine]:
    changes = list(
        db.session.scalars(
            sa.select(AuditEvent)
            .where(AuditEvent.team_id == team.id, AuditEvent.action == Action.PLAN_CHANGE)
            .order_by(AuditEvent.created_at, AuditEvent.id)
        )
    )
    lines = []
    begin = max(start, team.created_at)  # a team made this month pays from its start
    held = _plan_at(team, changes, begin)
    if held.has_subscription:
        what = f"{held.name} plan, " + ("the month" if begin == start else "from the team's start")
        lines.append(StatementLine(begin, "plan", what, "", held.monthly_price))
    for event in changes:
        plan = PLANS.get((event.after or {}).get("plan", ""))
        if start <= event.created_at < end and plan is not None and plan.has_subscription:
            who = (event.actor.name or event.actor.email) if event.actor else "Billing"
            what = f"Changed to the {plan.name} plan"
            lines.append(StatementLine(event.created_at, "plan", what, who, plan.monthly_price))
    return lines


def _plan_at(team: Team, changes: list[AuditEvent], moment: datetime):
    """The plan the team was on at that moment, from its recorded changes."""
    before = [e for e in changes if e.created_at < moment]
    if before:
        key = (before[-1].after or {}).get("plan")
    elif changes:
        key = (changes[0].before or {}).get("plan")
    else:
        key = team.plan
    return PLANS.get(key or "", PLANS[team.plan])


def _first_day(moment: datetime) -> date:
    moment = moment.astimezone(UTC)
    return date(moment.year, moment.month, 1)


def _moment(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


def _next(month: date) -> date:
    return date(month.year + month.month // 12, month.month % 12 + 1, 1)


def _previous(month: date) -> date:
    return date(month.year - (month.month == 1), (month.month - 2) % 12 + 1, 1)
