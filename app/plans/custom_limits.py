"""An operator's limit for one team, past (or instead of) its plan's: `flask teams set-limit`.

It replaces the plan's limit everywhere (eligibility's `maxAllowed` included) and reads
"Custom: N numbers" on the Plans page and the banner. It is an agreement about a paid plan,
so it needs one, and it belongs to the plan it was set on: any change of plan clears it
(app.billing.plan_changes), so a downgrade or a cancellation never keeps a larger limit. Setting or
clearing it can leave the team over its limit: that starts the grace as a downgrade does.
"""

from __future__ import annotations

from app import audit
from app.accounts.teams import lock_team
from app.exceptions import ValidationFailed
from app.extensions import db
from app.models import Team
from app.plans.catalog import get_plan
from app.plans.grace import review_limit

MAX_CUSTOM_LIMIT = 100_000


def set_custom_limit(team: Team, limit: int | None, actor_id: str | None = None) -> Team:
    """Set the team's custom limit (None clears it: the plan's applies again), and commit."""
    if limit is not None and not 1 <= limit <= MAX_CUSTOM_LIMIT:
        raise ValidationFailed(
            {"limit": f"A custom limit is a whole number from 1 to {MAX_CUSTOM_LIMIT:,}."}
        )
    lock_team(team.id)  # against a plan change or the sweep meanwhile
    db.session.refresh(team)
    plan = get_plan(team.plan)
    if limit is not None and not plan.has_subscription:
        db.session.rollback()
        raise ValidationFailed(
            {"limit": f"{team.name} is on the {plan.name} plan: a custom limit needs a paid plan."}
        )
    if limit != team.custom_limit:
        record_custom_limit(team, limit, actor_id)
        review_limit(team, actor_id)
    db.session.commit()
    return team


def record_custom_limit(team: Team, limit: int | None, actor_id: str | None) -> None:
    """Change the team's custom limit with its History line, in the caller's transaction
    (which moves the team's version)."""
    audit.record(
        team.id,
        actor_id,
        audit.Action.CUSTOM_LIMIT,
        subject_id=team.id,
        subject=get_plan(team.plan).name,
        before={"custom_limit": team.custom_limit},
        after={"custom_limit": limit},
    )
    team.custom_limit = limit
