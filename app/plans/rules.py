"""The plan rules: what counts toward a plan, who may buy, and how each refusal is worded.

Purchases check these under the team lock; the pages read the same rules to show the plan
banner and to disable Buy before anyone clicks. The words are written once, here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from app.extensions import db
from app.models import PhoneNumber, Team, utcnow
from app.plans.catalog import Plan, get_plan, upgrade_for

TRIAL_USED_MESSAGE = "This team has used its free trial number. Subscribe to a plan to buy numbers."


def held_count(team_id: str, now: datetime | None = None) -> int:
    """The team's numbers that count toward its plan (live ones, pending orders included)."""
    return db.session.scalar(held_count_query(team_id, now or utcnow())) or 0


def held_count_query(team_id: str, now: datetime) -> sa.Select:
    """held_count as a statement, for a caller that asks it along with something else."""
    return sa.select(sa.func.count()).where(PhoneNumber.team_id == team_id, PhoneNumber.live(now))


def eligibility(team: Team, held: int) -> dict[str, Any]:
    """The contract's eligibility object: how many numbers the team holds and may hold."""
    plan = get_plan(team.plan)
    return {
        "currentCount": held,
        "maxAllowed": plan.max_numbers,
        "hasSubscription": plan.has_subscription,
        "planName": plan.name,
    }


def purchase_refusal(team: Team, held: int) -> str | None:
    """Why the team may not buy another number right now, or None if it may."""
    plan = get_plan(team.plan)
    if held > plan.max_numbers:  # over the plan (a downgrade): say what to release first
        return limit_message(plan, held)
    if plan.trial_length and team.trial_used_at is not None:
        return TRIAL_USED_MESSAGE
    if held >= plan.max_numbers:
        return limit_message(plan, held)
    return None


def undo_refusal(team: Team, held_with_it: int, number: str) -> str | None:
    """Why a released number cannot come back (undoing its release), or None if it fits.

    `held_with_it` counts the number as back. Only the count matters: the number is the
    team's already (a Free team's trial comes back as the same trial, nothing is bought).
    """
    plan = get_plan(team.plan)
    if held_with_it <= plan.max_numbers:
        return None
    others = held_with_it - 1
    return (
        f"{number} cannot come back: the {plan.name} plan allows {plan.numbers_phrase} and "
        f"this team holds {others} now. Release another number first, or choose a larger "
        "plan, then undo again before the release is done."
    )


def limit_message(plan: Plan, held: int) -> str:
    if held > plan.max_numbers:
        extra = held - plan.max_numbers
        return (
            f"This team holds {held} numbers and the {plan.name} plan allows "
            f"{plan.max_numbers}: release {extra} number{'' if extra == 1 else 's'} "
            "or choose a larger plan to buy another."
        )
    return (
        f"The {plan.name} plan allows {plan.numbers_phrase} and this team has reached it. "
        "Upgrade the plan or release a number to buy another."
    )


@dataclass(frozen=True)
class PlanUsage:
    """The plan banner: how full the plan is, and why Buy is disabled if it is."""

    plan: Plan
    count: int
    refusal: str | None

    @property
    def upgrade(self) -> Plan | None:
        return upgrade_for(self.plan)

    @property
    def is_trial_plan(self) -> bool:
        return self.plan.trial_days is not None

    @property
    def over_limit(self) -> bool:
        """More than the plan allows: a downgrade, or a subscription that ended."""
        return self.count > self.plan.max_numbers

    @property
    def headline(self) -> str:
        if self.is_trial_plan and not self.over_limit:
            return f"Trial: {self.plan.numbers_phrase} for {self.plan.trial_days} days"
        return f"{self.count} of {self.plan.max_numbers} numbers · {self.plan.name}"

    @property
    def detail(self) -> str:
        if self.is_trial_plan and not self.over_limit:
            if self.count:
                return "Your trial number is live."
            return "Trial used." if self.refusal else "Pick a number to start your trial."
        left = self.plan.max_numbers - self.count
        if left < 0:
            return f"Release {-left} number{'' if left == -1 else 's'} or choose a larger plan."
        return f"{left} left on your plan." if left > 0 else "Your plan is full."

    @property
    def upgrade_hint(self) -> str:
        if self.upgrade is None:
            return "Contact us for more numbers."
        return f"The {self.upgrade.name} plan allows {self.upgrade.numbers_phrase}."


def usage(team: Team, now: datetime | None = None, held: int | None = None) -> PlanUsage:
    """The banner; `held` is the team's held_count when the caller has just counted it."""
    held = held_count(team.id, now) if held is None else held
    return PlanUsage(get_plan(team.plan), held, purchase_refusal(team, held))
