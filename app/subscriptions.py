"""Changing a team's plan: one rule for the CLI, the Plans page and the billing webhooks.

Upgrading from Free keeps a live trial number as a regular one. Moving to a smaller plan
never releases anything: purchases are refused until the team is within the plan again.
"""

from __future__ import annotations

from app import audit
from app.accounts.teams import check_plan
from app.extensions import db
from app.models import Team
from app.numbers.trials import convert_trials
from app.plans.catalog import get_plan


def change_plan(team: Team, plan: str, actor_id: str | None = None) -> Team:
    check_plan(plan)
    if plan == team.plan:
        return team
    before = team.plan
    team.plan = plan
    audit.record(
        team.id,
        actor_id,
        audit.Action.PLAN_CHANGE,
        subject_id=team.id,
        subject=get_plan(plan).name,
        before={"plan": before},
        after={"plan": plan},
    )
    db.session.commit()
    if get_plan(plan).has_subscription:
        convert_trials(team, actor_id)
    return team
