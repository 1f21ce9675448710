"""A new team's getting-started checklist: get a number, create an assistant, route the number
to it, test a call. Each step is ticked from what the team has, never from a click, so a step
done through the API reads true on the next page; the list goes for good once all are done,
or once someone in the team dismisses it."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from app.accounts.roles import Actor
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
    """The team's checklist, or None once dismissed or complete (then it is not shown).

    One query while it shows; once every step is done the list is closed for good (as if
    dismissed), so a settled team's pages ask nothing more.
    """
    if team.onboarding_dismissed_at is not None:
        return None
    held = sa.select(PhoneNumber.id).where(
        PhoneNumber.team_id == team.id, PhoneNumber.status.in_(HELD)
    )
    # The number the route and call steps link to: one with an assistant first.
    first = held.order_by(PhoneNumber.assistant_id.is_(None), PhoneNumber.created_at).limit(1)
    has_number, has_assistant, routed, called, number_id = db.session.execute(
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
            first.scalar_subquery(),
        )
    ).one()
    found = Checklist(
        [
            Step("number", "Get a number", has_number),
            Step("assistant", "Create an assistant", has_assistant),
            Step("route", "Route a number to the assistant", routed),
            Step("call", "Test a call", called),
        ],
        number_id,
    )
    if found.complete:
        _close(team)
        return None
    return found


def _close(team: Team) -> None:
    """Every step done: the list will not come back (a team that later has no number is not
    new). A conditional UPDATE of its own, so two pages closing it at once do no harm."""
    db.session.execute(
        sa.update(Team)
        .where(Team.id == team.id, Team.onboarding_dismissed_at.is_(None))
        .values(onboarding_dismissed_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    db.session.commit()


def dismiss(actor: Actor) -> None:
    """Hide the checklist for everyone in the team (any member may: it only helps)."""
    team = actor.team
    if team.onboarding_dismissed_at is None:
        team.onboarding_dismissed_at = utcnow()
    db.session.commit()
