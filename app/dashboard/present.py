"""What the pages show about a team's plan, and the search form's country list."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import phonenumbers
from flask import request
from phonenumbers.geocoder import _region_display_name

from app.assistants import service as assistants
from app.models import Assistant, Team, User
from app.numbers import service
from app.numbers.queries import held_count
from app.plans import PLANS, Plan, get_plan

# Regions phonenumbers knows but has no English display name for.
_EXTRA_NAMES = {"XK": "Kosovo", "AC": "Ascension Island", "TA": "Tristan da Cunha"}


@dataclass(frozen=True)
class PlanStatus:
    """The plan banner and the reason Buy is disabled, if it is."""

    plan: Plan
    count: int
    refusal: str | None
    upgrade: Plan | None

    @property
    def is_trial_plan(self) -> bool:
        return self.plan.trial_days is not None

    @property
    def headline(self) -> str:
        if self.is_trial_plan:
            noun = "number" if self.plan.max_numbers == 1 else "numbers"
            return f"Trial: {self.plan.max_numbers} {noun} for {self.plan.trial_days} days"
        return f"{self.count} of {self.plan.max_numbers} numbers · {self.plan.name}"

    @property
    def detail(self) -> str:
        if self.is_trial_plan:
            if self.count:
                return "Your trial number is live."
            return "Trial used." if self.refusal else "Pick a number to start your trial."
        left = self.plan.max_numbers - self.count
        return f"{left} left on your plan." if left > 0 else "Your plan is full."

    @property
    def upgrade_hint(self) -> str:
        if self.upgrade is None:
            return "Contact us for more numbers."
        return f"The {self.upgrade.name} plan allows {self.upgrade.max_numbers} numbers."


def plan_status(team: Team) -> PlanStatus:
    held = held_count(team.id)
    plan = get_plan(team.plan)
    return PlanStatus(plan, held, service.purchase_refusal(team, held=held), _upgrade_for(plan))


def assistant_choices(user: User, team: Team) -> list[Assistant]:
    """The numbers table's picker: the team's assistants by name."""
    return [assistant for assistant, _count in assistants.list_assistants(user, team.id)]


def _upgrade_for(plan: Plan) -> Plan | None:
    """The smallest paid plan that allows more numbers than this one."""
    bigger = [p for p in PLANS.values() if p.has_subscription and p.max_numbers > plan.max_numbers]
    return min(bigger, key=lambda p: p.max_numbers, default=None)


@cache
def countries() -> list[tuple[str, str]]:
    """Every region phonenumbers supports, as (code, English name), by name."""
    named = [
        (code, _region_display_name(code, "en") or _EXTRA_NAMES.get(code, code))
        for code in phonenumbers.SUPPORTED_REGIONS
    ]
    return sorted(named, key=lambda pair: pair[1])


def country_choices() -> list:
    from app.dashboard.forms import SelectChoice

    return [SelectChoice(code, name) for code, name in countries()]


def default_country() -> str:
    """The viewer's region from Accept-Language (en-GB → GB) when supported, else US."""
    for language, _quality in request.accept_languages:
        region = language.replace("_", "-").split("-")[-1].upper() if "-" in language else ""
        if region in phonenumbers.SUPPORTED_REGIONS:
            return region
    return "US"
