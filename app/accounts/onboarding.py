"""A new team's getting-started checklist: get a number, create an assistant, route the number
to it, test a call. Each step is ticked from what the team has, never from a click, so a step
done through the API (or undone) reads true on the next page; the list goes once all are done,
or for good once someone in the team dismisses it."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from app.accounts.roles import Actor
from app.accounts.teams import bump_version
from app.extensions import db
from app.models import Assistant, Call, PhoneNumber, RoutingSplit, Team, utcnow
from app.models.base import HELD


@dataclass(frozen=True)
class Step:
    key: str  # number | assistant | route | call
    title: str
    done: bool


@dataclass(frozen=True)
class Checklist:
    steps: list[Step]
    # The number the route and call steps link to (one with an assistant first); None: none yet.
    number_id: str | None = None

    @property
    def done(self) -> int:
        return sum(step.done for step in self.steps)

    @property
    def complete(self) -> bool:
        return self.done == len(self.steps)

    @property
    def key(self) -> str:
        """The ticks as a short string, for a page's ETag ("1100")."""
        return "".join("1" if step.done else "0" for step in self.steps)


def checklist(team: Team) -> Checklist | None:
    """The team's checklist, or None once dismissed or complete (then it is not shown)."""
    if team.onboarding_dismissed_at is not None:
        return None
    held = sa.select(PhoneNumber.id).where(
        PhoneNumber.team_id == team.id, PhoneNumber.status.in_(HELD)
    )
    has_number, has_assistant, routed, called = db.session.execute(
        sa.select(
            held.exists(),
            sa.select(Assistant.id).where(Assistant.team_id == team.id).exists(),
            # Its assistant, or a split of its calls between assistants.
            sa.or_(
                held.where(PhoneNumber.assistant_id.is_not(None)).exists(),
                sa.select(RoutingSplit.phone_number_id)
                .join(PhoneNumber, PhoneNumber.id == RoutingSplit.phone_number_id)
                .where(PhoneNumber.team_id == team.id, PhoneNumber.status.in_(HELD))
                .exists(),
            ),
            # A routing test, a "Call me", or a real call: any call the team's numbers routed.
            sa.select(Call.id).where(Call.team_id == team.id).exists(),
        )
    ).one()
    found = Checklist(
        [
            Step("number", "Get a number", has_number),
            Step("assistant", "Create an assistant", has_assistant),
            Step("route", "Route a number to the assistant", routed),
            Step("call", "Test a call", called),
        ]
    )
    if found.complete:
        return None
    first = db.session.scalar(
        held.order_by(PhoneNumber.assistant_id.is_(None), PhoneNumber.created_at).limit(1)
    )
    return Checklist(found.steps, first)


def dismiss(actor: Actor) -> None:
    """Hide the checklist for everyone in the team (any member may: it only helps)."""
    team = actor.team
    if team.onboarding_dismissed_at is None:
        team.onboarding_dismissed_at = utcnow()
        bump_version(team.id)  # the Numbers page's ETag: the list is gone
    db.session.commit()
