"""The plan rules: what counts toward a plan, who may buy, and how each refusal is worded.

Purchases check these under the team lock; the pages read the same rules to show the plan
banner and to disable Buy before anyone clicks. The words are written once, here (the limit
and the over-limit grace in app.plans.limits and app.plans.grace, the trial per person in
app.plans.trial_rights).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from app.models import Team, utcnow
from app.plans.catalog import Plan, get_plan
from app.plans.limits import (
    Standing,
    held_count,
    held_count_query,
    more_numbers,
    numbers,
    numbers_that_fit,
    plan_above,
    sales_contact,
    standing,
    team_limit,
)
from app.plans.trial_rights import NO_TRIAL_MESSAGE, spent_elsewhere
from app.timefmt import readable

__all__ = ["held_count", "held_count_query"]  # where the services have always found them

TRIAL_USED_MESSAGE = "This team has used its free trial number. Subscribe to a plan to buy numbers."


def eligibility(team: Team, held: int) -> dict[str, Any]:
    """The contract's eligibility object: how many numbers the team holds and may hold."""
    plan = get_plan(team.plan)
    return {
        "currentCount": held,
        "maxAllowed": team_limit(team),
        "hasSubscription": plan.has_subscription,
        "planName": plan.name,
    }


def purchase_refusal(
    team: Team,
    held: int,
    *,
    trial_elsewhere: bool | None = None,
    now: datetime | None = None,
    place: Standing | None = None,
) -> str | None:
    """Why the team may not buy another number right now, or None if it may.

    `trial_elsewhere` is whether its founder has had their trial, and `place` its standing,
    when the caller has just read them (under the purchase lock); otherwise they are read here.
    """
    place = place or standing(team, now, held)
    if place.over:  # a downgrade, or a subscription that ended: say what happens first
        return over_limit_message(team, place)
    if place.plan.trial_length:
        if team.trial_used_at is not None:
            return TRIAL_USED_MESSAGE
        if trial_elsewhere is None:
            trial_elsewhere = spent_elsewhere(team, now)
        if trial_elsewhere:
            return NO_TRIAL_MESSAGE
    if held >= place.limit:
        return limit_message(team, place)
    return None


def undo_refusal(team: Team, held_with_it: int, number: str) -> str | None:
    """Why a released number cannot come back (undoing its release), or None if it fits.

    `held_with_it` counts the number as back. Only the count matters: the number is the
    team's already (a Free team's trial comes back as the same trial, nothing is bought).
    """
    limit = team_limit(team)
    if held_with_it <= limit:
        return None
    allows = (
        f"this team's custom limit allows {numbers(limit)}"
        if team.custom_limit is not None
        else f"the {get_plan(team.plan).name} plan allows {numbers(limit)}"
    )
    way = more_numbers(team)
    return (
        f"{number} cannot come back: {allows} and this team holds {held_with_it - 1} now. "
        "Release another number first"
        + (f", or {way}," if way else "")
        + " then undo again before the release is done."
    )


def limit_message(team: Team, place: Standing) -> str:
    """The team holds all its limit allows."""
    allows = numbers(place.limit)
    reached = (
        f"This team's custom limit of {allows} is reached."
        if place.custom
        else f"The {place.plan.name} plan allows {allows} and this team has reached it."
    )
    if plan_above(place.limit) is not None:
        return f"{reached} Upgrade the plan or release a number to buy another."
    way = more_numbers(team)
    return f"{reached} Release a number to buy another" + (f", or {way}." if way else ".")


def over_limit_message(team: Team, place: Standing) -> str:
    """The team holds more than it may keep, and what becomes of the rest (and when)."""
    held = f"This team holds {numbers(place.held)}"
    way = more_numbers(team)
    if place.grace_ends_at is None:  # found over its limit; the next sweep starts a grace
        end = f"release {place.excess}" + (f" or {way}" if way else "")
        return f"{held} and {place.allowance}: {end} to buy another."
    when = readable(place.grace_ends_at)
    if not place.keep_room:
        them = "it" if place.excess == 1 else "them"
        return (
            f"{held} and the {place.plan.name} plan keeps only a trial number: choose a paid "
            f"plan by {when} to keep {them}, or {them} {'is' if them == 'it' else 'are'} "
            "released then."
        )
    choose = f"choose the {place.keep_room} to keep by {when}" + (f", or {way}" if way else "")
    return f"{held} and {place.allowance}: {choose}; the others are released then."


@dataclass(frozen=True)
class PlanUsage:
    """The plan banner: how full the plan is, and why Buy is disabled if it is."""

    plan: Plan
    count: int
    refusal: str | None
    place: Standing
    no_trial: bool = False  # a Free team whose founder has had their trial

    @property
    def limit(self) -> int:
        return self.place.limit

    @property
    def custom_limit(self) -> int | None:
        return self.place.limit if self.place.custom else None

    @property
    def upgrade(self) -> Plan | None:
        return plan_above(self.place.limit)

    @property
    def contact_url(self) -> str | None:
        """Sales, for a team past the largest plan (when the operator gave a contact)."""
        return None if self.upgrade else sales_contact()

    @property
    def is_trial_plan(self) -> bool:
        return self.plan.trial_days is not None

    @property
    def over_limit(self) -> bool:
        """More than the team may keep: a downgrade, or a subscription that ended."""
        return self.place.over

    @property
    def grace_ends_at(self) -> datetime | None:
        return self.place.grace_ends_at if self.place.over else None

    @property
    def headline(self) -> str:
        if self.is_trial_plan and not self.over_limit and not self.no_trial:
            return f"Trial: {self.plan.numbers_phrase} for {self.plan.trial_days} days"
        return f"{self.count} of {self.limit} numbers · {self.plan.name}"

    @property
    def detail(self) -> str:
        if self.over_limit:
            excess = self.place.excess
            if self.grace_ends_at is None:
                return f"Release {numbers(excess)} to buy again."
            return f"{numbers(excess)} over the plan: buying is stopped."
        if self.is_trial_plan:
            if self.count:
                return "Your trial number is live."
            if self.no_trial:
                return "No free trial in this team: one per person, and its creator has had it."
            return "Trial used." if self.refusal else "Pick a number to start your trial."
        left = numbers_that_fit(self.limit, self.count)
        return f"{left} left on your plan." if left > 0 else "Your plan is full."

    @property
    def upgrade_hint(self) -> str:
        """The next plan up, after a refusal; past the largest plan, sales (a link on the pages)."""
        if self.upgrade is None:
            return ""
        return f"The {self.upgrade.name} plan allows {self.upgrade.numbers_phrase}."


def usage(team: Team, now: datetime | None = None, held: int | None = None) -> PlanUsage:
    """The banner; `held` is the team's held_count when the caller has just counted it."""
    now = now or utcnow()
    place = standing(team, now, held)
    no_trial = (
        place.plan.trial_length is not None
        and not place.over
        and place.held == 0
        and spent_elsewhere(team, now)
    )
    refusal = purchase_refusal(team, place.held, trial_elsewhere=no_trial, now=now, place=place)
    return PlanUsage(place.plan, place.held, refusal, place, no_trial)
