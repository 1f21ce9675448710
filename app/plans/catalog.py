"""The plan catalog: small, fixed, in code. Every price, limit and trial term is read from here.

Plans are listed once, in PLANS: the settings (a paid plan's Stripe price id), the OpenAPI
document and the pages read it. A new plan is a line here and a migration for the teams'
plan check constraint.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal


@dataclass(frozen=True)
class Plan:
    key: str
    name: str
    has_subscription: bool
    max_numbers: int
    monthly_price: Decimal = Decimal("0")
    trial_days: int | None = None

    @property
    def trial_length(self) -> timedelta | None:
        return timedelta(days=self.trial_days) if self.trial_days else None

    @property
    def numbers_phrase(self) -> str:
        """ "1 number", "10 numbers"."""
        return f"{self.max_numbers} number{'' if self.max_numbers == 1 else 's'}"

    @property
    def trial_terms(self) -> str | None:
        """ "one trial number for 5 days", the words sign-up and the pages use."""
        if not self.trial_days:
            return None
        count = "one trial number" if self.max_numbers == 1 else f"{self.numbers_phrase} on trial"
        return f"{count} for {self.trial_days} days"


FREE = Plan("free", "Free", has_subscription=False, max_numbers=1, trial_days=5)
PLANS: dict[str, Plan] = {
    plan.key: plan
    for plan in (
        FREE,
        Plan("starter", "Starter", True, max_numbers=3, monthly_price=Decimal("9")),
        Plan("growth", "Growth", True, max_numbers=10, monthly_price=Decimal("29")),
        Plan("scale", "Scale", True, max_numbers=50, monthly_price=Decimal("99")),
    )
}
PLAN_KEYS = tuple(PLANS)
DEFAULT_PLAN = FREE.key
# Paid plan key -> the setting holding its Stripe price id: STRIPE_PRICE_STARTER, ...
PRICE_SETTINGS = {
    plan.key: f"STRIPE_PRICE_{plan.key.upper()}" for plan in PLANS.values() if plan.has_subscription
}


def get_plan(key: str) -> Plan:
    return PLANS[key]


def upgrade_for(plan: Plan) -> Plan | None:
    """The smallest paid plan that allows more numbers than this one."""
    bigger = [p for p in PLANS.values() if p.has_subscription and p.max_numbers > plan.max_numbers]
    return min(bigger, key=lambda p: p.max_numbers, default=None)
