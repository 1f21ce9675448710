"""The team's version moves by itself whenever a transaction changes what its pages show.

Lists and pages are cached (and tagged with ETags) under the team's version, so a write that
forgot to move it would serve a stale page for as long as the cache keeps it. Nothing calls
this module: SQLAlchemy's session events notice every change to the rows below, from the
unit of work (objects added, changed, deleted) and from ORM UPDATE/DELETE statements alike,
and the version moves once per team in the same transaction, just before it commits.

A row the pages do not show (a hold, an audit line, a call counted against a campaign
number) is not listed, so writing it keeps the cache. Statements on `Team` itself are locks
and counters (lock_team, the purchase lock, webhook_events), never watched; the team's own
columns the pages show are watched on the unit of work (TEAM_COLUMNS).
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import ORMExecuteState, Session

from app.extensions import db
from app.models import (
    Assistant,
    AssistantDestination,
    Campaign,
    CampaignAssistant,
    CampaignNumber,
    Membership,
    NumberHealth,
    NumberRouting,
    PhoneNumber,
    RoutingCaller,
    RoutingSplit,
    Team,
)

# The rows a team's lists and pages show: their class, the column that leads to the team,
# and the class that column names (None: it is the team's id).
WATCHED: dict[type, tuple[str, type | None]] = {
    PhoneNumber: ("team_id", None),
    Assistant: ("team_id", None),
    Membership: ("team_id", None),
    Campaign: ("team_id", None),
    NumberRouting: ("team_id", None),
    AssistantDestination: ("team_id", None),
    NumberHealth: ("team_id", None),  # its alert and rest show as badges in the list
    CampaignNumber: ("campaign_id", Campaign),
    CampaignAssistant: ("campaign_id", Campaign),
    RoutingSplit: ("phone_number_id", PhoneNumber),
    RoutingCaller: ("phone_number_id", PhoneNumber),
}
# The team's own columns the pages show (its plan, limits, grace and guardrails).
TEAM_COLUMNS = frozenset(
    {
        "name",
        "plan",
        "custom_limit",
        "grace_ends_at",
        "trial_used_at",
        "spend_cap",
        "approval_required",
        "approval_above",
        "onboarding_dismissed_at",
    }
)
_TOUCHED = "teams_touched"
_MOVED = "teams_moved"  # moved already, by a statement that updated the team's row anyway


def touched(session: Session) -> set[str]:
    """The teams whose rows this transaction changed so far."""
    return session.info.setdefault(_TOUCHED, set())


def moved_inline(team_id: str) -> dict:
    """Values that move the team's version inside an UPDATE of its row that a hot path runs
    anyway (the purchase's lock, a settlement's): this transaction's commit then adds no
    statement for the team. Spread them into that UPDATE's values."""
    db.session().info.setdefault(_MOVED, set()).add(team_id)
    return {"version": Team.version + 1}


def _team_column(cls: type) -> sa.ColumnElement:
    """The team of a row of `cls`, as SQL over its table."""
    column, owner = WATCHED[cls]
    if owner is None:
        return getattr(cls, column)
    return sa.select(owner.team_id).where(owner.id == getattr(cls, column)).scalar_subquery()


def _team_of(session: Session, row: object) -> str | None:
    column, owner = WATCHED[type(row)]
    value = getattr(row, column)
    if owner is None or value is None:
        return value
    # The owner's team, read on the flush's own connection (no autoflush inside a flush).
    return session.connection().scalar(sa.select(owner.team_id).where(owner.id == value))


def _team_changed(session: Session, team: Team) -> bool:
    state = sa.inspect(team)
    return any(state.attrs[name].history.has_changes() for name in TEAM_COLUMNS)


@event.listens_for(db.session, "after_flush")
def _note_flushed(session: Session, _flush_context) -> None:
    teams = touched(session)
    for row in (*session.new, *session.dirty, *session.deleted):
        if type(row) in WATCHED:
            if row in session.dirty and not session.is_modified(row):
                continue
            if (team_id := _team_of(session, row)) is not None:
                teams.add(team_id)
        elif isinstance(row, Team) and (row in session.new or _team_changed(session, row)):
            teams.add(row.id)


@event.listens_for(db.session, "do_orm_execute")
def _note_statement(state: ORMExecuteState):
    """An UPDATE or DELETE of watched rows: their teams, read just before it runs, are
    touched if it changed any row (a read that also matched a row the statement then skipped
    only moves a version more than needed, which is safe). Known limit: on PostgreSQL a row
    another transaction brings into the WHERE between the read and the statement is changed
    without its team noted; the writes here name one row by id, and that row's own writer
    moved the version an instant before."""
    if not (state.is_update or state.is_delete) or state.bind_mapper is None:
        return None
    cls = state.bind_mapper.class_
    if cls not in WATCHED:
        return None
    if known := state.execution_options.get("team_id"):
        teams = {known}  # the caller names the one team its statement touches: no read
    else:
        where = state.statement.whereclause
        query = sa.select(_team_column(cls)).distinct()
        teams = state.session.execute(query if where is None else query.where(where)).scalars()
        teams = {team_id for team_id in teams if team_id is not None}
    result = state.invoke_statement()
    # With RETURNING, SQLite counts rows only as they are read: take it as a change.
    if result.returns_rows or result.rowcount:
        touched(state.session).update(teams)
    return result


@event.listens_for(db.session, "before_commit")
def _move_versions(session: Session) -> None:
    session.flush()  # the last changes' teams are noted by the flush
    moved = session.info.get(_MOVED, set())
    for team_id in sorted(session.info.pop(_TOUCHED, set()) - moved):  # one order: no lock cycles
        session.connection().execute(
            sa.update(Team).where(Team.id == team_id).values(version=Team.version + 1)
        )


@event.listens_for(db.session, "after_transaction_end")
def _forget(session: Session, transaction) -> None:
    # Whatever was noted is undone with the transaction, however it ended (rolled back,
    # closed). A savepoint's end keeps the notes: the outer transaction's version then moves
    # once more than needed, never less.
    if transaction.parent is None:
        session.info.pop(_TOUCHED, None)
        session.info.pop(_MOVED, None)
