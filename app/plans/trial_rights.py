"""Who gets a free trial: one per team, and one per person.

A Free team's trial belongs to the person who created it (its founder), and a person gets one
across all the teams they create: it is spent when a trial number in one of their teams
becomes active (app.numbers.settling), and while a trial number of theirs is live or on its way
in one team, no other team of theirs may start one. A Free team whose founder has had their
trial gets none: it can buy nothing until it chooses a paid plan, and its pages say so. A team
made with the CLI has no founder: its trial is its own, as before.

Purchases check this under the team's lock and a lock on the founder (`founder_lock`, taken in
the same statement), so two teams of one person racing for a trial get one between them, on
SQLite and PostgreSQL.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa

from app.extensions import db
from app.models import PhoneNumber, Team, User, utcnow
from app.plans.catalog import PLANS

NO_TRIAL_MESSAGE = (
    "This team has no free trial: the person who created it has had theirs (one per person). "
    "Choose a plan to buy numbers."
)


def had_trial(founder_id: object, now: datetime, but_team: object = None) -> sa.ColumnElement:
    """A condition: the person has had their trial, or has a trial number live or on its way
    in one of their teams (other than `but_team`). Columns or values."""
    used = sa.select(User.id).where(User.id == founder_id, User.trial_used_at.is_not(None)).exists()
    live = (
        sa.select(PhoneNumber.id)
        .join(Team, Team.id == PhoneNumber.team_id)
        .where(Team.founder_id == founder_id, PhoneNumber.is_trial.is_(True), PhoneNumber.live(now))
    )
    if but_team is not None:
        live = live.where(Team.id != but_team)
    return sa.or_(used, live.exists())


def spent_elsewhere(team: Team, now: datetime | None = None) -> bool:
    """Whether the team gets no trial because its founder has had theirs (in another team)."""
    if team.founder_id is None or team.trial_used_at is not None:
        return False
    return bool(db.session.scalar(sa.select(had_trial(team.founder_id, now or utcnow(), team.id))))


def would_get_trial(user: User, now: datetime | None = None) -> bool:
    """Whether a Free team this person creates now would come with a trial."""
    if user.trial_used_at is not None:
        return False
    return not db.session.scalar(sa.select(had_trial(user.id, now or utcnow())))


# The first key of the founder's advisory lock: its own key space, apart from the numbers'.
_TRIAL_LOCK = 7301


def founder_lock() -> sa.ColumnElement:
    """An expression on a teams row that, evaluated in a statement, locks the team's founder
    until the transaction ends when the team may still start a trial, so trial purchases in
    two of their teams are checked one after the other. PostgreSQL: an advisory lock on the
    founder. SQLite needs none: the team's UPDATE has taken its one write lock."""
    if db.session.get_bind().dialect.name != "postgresql":
        return sa.null()
    may_start = sa.and_(
        Team.founder_id.is_not(None),
        Team.trial_used_at.is_(None),
        Team.plan.in_([p.key for p in PLANS.values() if p.trial_days]),
    )
    lock = sa.func.pg_advisory_xact_lock(_TRIAL_LOCK, sa.func.hashtext(Team.founder_id))
    return sa.case((may_start, lock), else_=sa.null())


def spend_founders_trial(team_id: str, now: datetime) -> None:
    """A trial number of the team became active: its founder has had their trial."""
    founder = sa.select(Team.founder_id).where(Team.id == team_id).scalar_subquery()
    db.session.execute(
        sa.update(User)
        .where(User.id == founder, User.trial_used_at.is_(None))
        .values(trial_used_at=now)
        .execution_options(synchronize_session=False)
    )
