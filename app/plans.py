"""The plan catalog (contract, "Plans"): small, fixed, in code."""

from dataclasses import dataclass
from datetime import timedelta


@dataclass(frozen=True)
class Plan:
    key: str
    name: str
    has_subscription: bool
    max_numbers: int
    trial_days: int | None = None

    @property
    def trial_length(self) -> timedelta | None:
        return timedelta(days=self.trial_days) if self.trial_days else None


PLANS: dict[str, Plan] = {
    plan.key: plan
    for plan in (
        Plan("free", "Free", has_subscription=False, max_numbers=1, trial_days=5),
        Plan("starter", "Starter", has_subscription=True, max_numbers=3),
        Plan("growth", "Growth", has_subscription=True, max_numbers=10),
        Plan("scale", "Scale", has_subscription=True, max_numbers=50),
    )
}
PLAN_KEYS = tuple(PLANS)
DEFAULT_PLAN = "free"


def get_plan(key: str) -> Plan:
    return PLANS[key]
