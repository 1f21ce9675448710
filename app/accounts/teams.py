"""Teams and memberships: creating them, and authorising a user to act for one."""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app

from app import audit
from app.accounts.roles import Actor
from app.exceptions import ServiceError, TeamNotFound, ValidationFailed
from app.extensions import db
from app.ids import is_id
from app.models import Membership, Role, Team, User, utcnow
from app.plans.catalog import DEFAULT_PLAN, PLAN_KEYS, PLANS
from app.text import one_line
from app.timefmt import readable

MAX_TEAM_NAME = 120
FOUNDING_WINDOW = timedelta(days=1)  # TEAMS_PER_USER_PER_DAY counts teams founded in it


def memberships_of(user: User) -> list[tuple[Team, Role]]:
    """Every team the user belongs to, by name, with their role: one query."""
    return [(team, Role(role)) for team, role in db.session.execute(memberships_query(user))]


def memberships_query(user: User) -> sa.Select:
    """memberships_of as a statement, for a caller that asks more about each team at once."""
    return (
        sa.select(Team, Membership.role)
        .join(Membership)
        .where(Membership.user_id == user.id)
        .order_by(Team.name, Team.id)
    )


def actor_for(
    user: User, team_id: object, memberships: list[tuple[Team, Role]] | None = None
) -> Actor:
    """The user acting for this team; TeamNotFound if they are not in it (never says which).

    `memberships` is the user's teams when the caller already has them (no query then).
    """
    if not is_id("team", team_id):
        raise TeamNotFound()
    if memberships is None:
        row = db.session.execute(
            sa.select(Team, Membership.role)
            .join(Membership)
            .where(Team.id == team_id, Membership.user_id == user.id)
        ).first()
        memberships = [(row[0], Role(row[1]))] if row else []
    for team, role in memberships:
        if team.id == team_id:
            return Actor(user, team, role)
    raise TeamNotFound()


def clean_team_name(name: object) -> str:
    cleaned = one_line(name, "team_name") if isinstance(name, str) else ""
    if not cleaned:
        raise ValidationFailed({"team_name": "A team needs a name."})
    if len(cleaned) > MAX_TEAM_NAME:
        raise ValidationFailed({"team_name": f"A team name is at most {MAX_TEAM_NAME} characters."})
    return cleaned


def create_team(name: str, plan: str = "free") -> Team:
    check_plan(plan)
    team = Team(name=clean_team_name(name), plan=plan)
    db.session.add(team)
    db.session.commit()
    return team


def found_team(user: User, name: str, now: datetime | None = None) -> Team:
    """A new Free team owned by the user (its founder: the free trial is theirs, once per
    person), with its first History line. A person creates at most TEAMS_PER_USER_PER_DAY
    teams in any 24 hours: checked under a lock on them, so a burst of requests gets no more."""
    name, now = clean_team_name(name), now or utcnow()
    lock_user(user.id)
    recent = db.session.scalars(
        sa.select(Team.created_at)
        .where(Team.founder_id == user.id, Team.created_at > now - FOUNDING_WINDOW)
        .order_by(Team.created_at)
    ).all()
    allowed = current_app.config["TEAMS_PER_USER_PER_DAY"]
    if len(recent) >= allowed:
        db.session.rollback()
        again = readable(recent[len(recent) - allowed] + FOUNDING_WINDOW)
        raise ValidationFailed(
            {
                "team_name": f"You have created {allowed} team{'' if allowed == 1 else 's'} in "
                f"the last 24 hours, the most one person may: you can create another after "
                f"{again}."
            }
        )
    team = Team(name=name, plan=DEFAULT_PLAN, founder_id=user.id, created_at=now)
    db.session.add(team)
    db.session.flush()
    db.session.add(Membership(user_id=user.id, team_id=team.id, role=Role.OWNER))
    audit.record(team.id, user.id, audit.Action.TEAM_CREATE, subject_id=team.id, subject=team.name)
    db.session.commit()
    return team


def lock_user(user_id: str) -> None:
    """Serialise what a person does across their teams (founding teams, holding numbers): an
    UPDATE takes their row lock on PostgreSQL and the write lock on SQLite, until the commit."""
    db.session.execute(sa.update(User).where(User.id == user_id).values(name=User.name))


def lock_team(team_id: str) -> None:
    """Serialise changes to a team's people (the last owner must stay): an UPDATE takes the
    row lock on PostgreSQL and the write lock on SQLite, held until the commit."""
    db.session.execute(sa.update(Team).where(Team.id == team_id).values(name=Team.name))


def default_role(team: Team) -> Role:
    """The role a person added without one gets: a team's first person owns it (someone must,
    and a script that makes a team and then its user means that user), later ones are members."""
    people = db.session.scalar(
        sa.select(sa.func.count()).select_from(Membership).where(Membership.team_id == team.id)
    )
    return Role.MEMBER if people else Role.OWNER


def add_member(user: User, team: Team, role: str = Role.MEMBER) -> Membership:
    if role not in Role.__members__.values():
        raise ServiceError(f"Role must be one of {', '.join(Role)}.")
    membership = db.session.merge(Membership(user_id=user.id, team_id=team.id, role=role))
    db.session.commit()
    return membership


def team_by_id(team_id: str) -> Team:
    team = db.session.get(Team, team_id) if is_id("team", team_id) else None
    if team is None:
        raise TeamNotFound(f"No team with id {team_id}.")
    return team


def check_plan(plan: str) -> None:
    if plan not in PLANS:
        raise ServiceError(f"Plan must be one of {', '.join(PLAN_KEYS)}.")
