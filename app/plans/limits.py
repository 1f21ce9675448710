"""A team's limit, and where it stands against it.

The limit is the plan's, unless the operator set a custom one for the team (`flask teams
set-limit`): that replaces the plan's on every surface (eligibility's `maxAllowed`, the banner,
refusals). A team past the largest plan is offered sales (SALES_CONTACT_URL), never a plan that
does not exist, and without that setting the wording promises no contact at all.

What a team may keep: on a paid plan, as many numbers as its limit. The Free plan has nothing
to pay a number with, so it keeps only a live trial number: a number that stopped being a
trial when the team subscribed (and any number bought on a paid plan) is over the Free plan's
limit once the subscription ends, and is released at the end of the grace unless the team
chooses a paid plan again (app.plans.grace).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from flask import current_app

from app.extensions import db
from app.models import PhoneNumber, Team, utcnow
from app.plans.catalog import PLANS, Plan, get_plan


def held_count(team_id: str, now: datetime | None = None) -> int:
    """The team's numbers that count toward its plan (live ones, pending orders included)."""
    return db.session.scalar(held_count_query(team_id, now or utcnow())) or 0


def held_count_query(team_id: str, now: datetime) -> sa.Select:
    """held_count as a statement, for a caller that asks it along with something else."""
    return sa.select(sa.func.count()).where(PhoneNumber.team_id == team_id, PhoneNumber.live(now))


def numbers_that_fit(limit: int, held: int, refusal: str | None = None) -> int:
    """How many more numbers a team may buy: none while it may not buy at all (`refusal`: a
    used trial, a grace), else what its limit leaves. The cart, orders and banner read this."""
    return 0 if refusal else max(0, limit - held)


def team_limit(team: Team) -> int:
    """How many numbers the team may hold: its custom limit, else its plan's."""
    return team.custom_limit if team.custom_limit is not None else get_plan(team.plan).max_numbers


def larger_plan(team: Team) -> Plan | None:
    """The smallest paid plan that allows more numbers than the team's limit, if any."""
    return plan_above(team_limit(team))


def plan_above(limit: int) -> Plan | None:
    """The smallest paid plan that allows more than `limit` numbers, if any."""
    bigger = [p for p in PLANS.values() if p.has_subscription and p.max_numbers > limit]
    return min(bigger, key=lambda p: p.max_numbers, default=None)


def largest_plan() -> Plan:
    return max(PLANS.values(), key=lambda p: p.max_numbers)


def sales_contact() -> str | None:
    """SALES_CONTACT_URL (a mailto: or https link, checked at start-up), or None."""
    return current_app.config.get("SALES_CONTACT_URL") or None


def contact_label(url: str) -> str:
    """How the link reads: the address for mailto:, the site and path for a web page."""
    if url.startswith("mailto:"):
        return url.removeprefix("mailto:").split("?")[0]
    return url.removeprefix("https://").rstrip("/")


def more_numbers(team: Team) -> str | None:
    """The way to more numbers, to end a refusal with; None when there is none to offer."""
    if larger_plan(team) is not None:
        return "choose a larger plan"
    if contact := sales_contact():
        return f"talk to sales about a custom limit: {contact}"
    return None


def numbers(count: int) -> str:
    return f"{count} number{'' if count == 1 else 's'}"


@dataclass(frozen=True)
class Standing:
    """Where a team stands against its limit: what it holds, and how many are over it."""

    plan: Plan
    limit: int  # the custom limit, else the plan's
    custom: bool
    held: int  # live numbers (pending orders and releases in flight included)
    excess: int  # how many it holds beyond what it may keep
    grace_ends_at: datetime | None

    @property
    def over(self) -> bool:
        return self.excess > 0

    @property
    def keep_room(self) -> int:
        """How many numbers owners may choose to keep: none on Free (only a trial stays)."""
        return self.limit if self.plan.has_subscription else 0

    @property
    def allowance(self) -> str:
        """ "the Starter plan allows 3", "its custom limit allows 200"."""
        if self.custom:
            return f"its custom limit allows {self.limit}"
        return f"the {self.plan.name} plan allows {self.limit}"


def standing(
    team: Team, now: datetime | None = None, held: int | None = None, plan: Plan | None = None
) -> Standing:
    """The team's standing; `held` is its live count when the caller has just counted it.
    With `plan`, where it would stand on that plan (a custom limit does not follow it)."""
    now = now or utcnow()
    if plan is None:
        plan, limit, custom = get_plan(team.plan), team_limit(team), team.custom_limit is not None
    else:
        limit, custom = plan.max_numbers, False
    held = held_count(team.id, now) if held is None else held
    if plan.has_subscription:
        excess = max(0, held - limit)
    elif held:
        trials = live_trials(team.id, now)
        excess = (held - trials) + max(0, trials - limit)
    else:
        excess = 0
    return Standing(plan, limit, custom, held, excess, team.grace_ends_at)


def live_trials(team_id: str, now: datetime) -> int:
    """The team's live trial numbers (a Free team keeps these, and only these)."""
    return (
        db.session.scalar(
            sa.select(sa.func.count()).where(
                PhoneNumber.team_id == team_id,
                PhoneNumber.live(now),
                PhoneNumber.is_trial.is_(True),
            )
        )
        or 0
    )
