"""What a change of plan would do, shown before the owner confirms it.

The new price and limit, what becomes of the trial number, which numbers would be over the
new limit and when they would be released, and what paying looks like: only what is known
for certain here (Stripe's portal shows its own proration before the owner confirms there).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa

from app.accounts.roles import Actor, Permission
from app.accounts.teams import check_plan
from app.billing import current_billing
from app.extensions import db
from app.models import AuditEvent, PhoneNumber, Team, utcnow
from app.plans.catalog import Plan, get_plan
from app.plans.grace import grace_length, staying_count, to_release
from app.plans.limits import Standing, standing, team_limit
from app.plans.trial_rights import spent_elsewhere

# How the change is paid for: at once (nothing to pay, or no billing provider), in Stripe
# Checkout (a first subscription), or in Stripe's portal (a subscription already running).
AT_ONCE, CHECKOUT, PORTAL = "at_once", "checkout", "portal"


@dataclass(frozen=True)
class PlanChangePreview:
    team: Team
    current: Plan
    target: Plan
    current_limit: int
    after: Standing  # where the team would stand on the new plan
    grace_ends_at: datetime | None  # when what is over would be released (None: nothing is)
    grace_running: bool  # a grace is running already: its date stands
    due: list[PhoneNumber] = field(default_factory=list)  # what would go then, in order
    live_trial: PhoneNumber | None = None  # a trial number that would stay (upgrading)
    former_trials: list[PhoneNumber] = field(default_factory=list)  # trials that became paid
    trial_after: str | None = None  # on a trial plan: "available", "used" or "elsewhere"
    payment: str = AT_ONCE
    ends_custom_limit: int | None = None

    @property
    def is_upgrade(self) -> bool:
        return self.after.limit > self.current_limit

    @property
    def kept_count(self) -> int:
        return self.after.held - self.after.excess


def preview_change(actor: Actor, plan_key: str, now: datetime | None = None) -> PlanChangePreview:
    """What moving the actor's team to `plan_key` would do (an owner's question)."""
    actor.require(Permission.CHANGE_PLAN)
    check_plan(plan_key)
    now = now or utcnow()
    team, target = actor.team, get_plan(plan_key)
    after = standing(team, now, staying_count(team.id, now), plan=target)
    running = team.grace_ends_at is not None
    grace_ends = (team.grace_ends_at if running else now + grace_length()) if after.over else None
    due = (
        list(db.session.scalars(to_release(team.id, now).limit(after.excess))) if after.over else []
    )
    return PlanChangePreview(
        team=team,
        current=get_plan(team.plan),
        target=target,
        current_limit=team_limit(team),
        after=after,
        grace_ends_at=grace_ends,
        grace_running=running and after.over,
        due=due,
        live_trial=_live_trial(team, now) if target.has_subscription else None,
        former_trials=[] if target.has_subscription else _former_trials(team, now),
        trial_after=_trial_after(team, now) if target.trial_days else None,
        payment=_payment(team, target),
        ends_custom_limit=team.custom_limit,
    )


def _live_trial(team: Team, now: datetime) -> PhoneNumber | None:
    return db.session.scalars(
        sa.select(PhoneNumber).where(
            PhoneNumber.team_id == team.id, PhoneNumber.live(now), PhoneNumber.is_trial.is_(True)
        )
    ).first()


def _former_trials(team: Team, now: datetime) -> list[PhoneNumber]:
    """The team's live numbers that were its trial and became regular when it subscribed."""
    converted = sa.select(AuditEvent.subject_id).where(
        AuditEvent.team_id == team.id, AuditEvent.action == "convert_trial"
    )
    return list(
        db.session.scalars(
            sa.select(PhoneNumber).where(
                PhoneNumber.team_id == team.id,
                PhoneNumber.live(now),
                PhoneNumber.id.in_(converted),
            )
        )
    )


def _trial_after(team: Team, now: datetime) -> str:
    if team.trial_used_at is not None:
        return "used"
    return "elsewhere" if spent_elsewhere(team, now) else "available"


def _payment(team: Team, target: Plan) -> str:
    billing = current_billing()
    if billing.is_sandbox:
        return AT_ONCE
    if team.billing_subscription_id and team.billing_customer_id:
        return PORTAL
    return CHECKOUT if target.has_subscription else AT_ONCE
