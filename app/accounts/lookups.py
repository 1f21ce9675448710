"""One team-scoped lookup for the rows a team owns (assistants, campaigns, webhook endpoints).

A row is found by its id only within the caller's teams: another team's id, a malformed id
and a missing row all answer the same NotFound, so ids cannot be probed across teams.
"""

from __future__ import annotations

from typing import TypeVar

import sqlalchemy as sa

from app.accounts.roles import Actor
from app.exceptions import NotFound
from app.extensions import db
from app.ids import is_id
from app.models import Membership, Role, Team, User

Row = TypeVar("Row")


def find_for_user(
    model: type[Row], prefix: str, user: User, row_id: object, missing: str
) -> tuple[Actor, Row]:
    """The row and the user acting for its team (one query); NotFound if it is not in any of
    the user's teams."""
    row = None
    if is_id(prefix, row_id):
        row = db.session.execute(
            sa.select(model, Team, Membership.role)
            .join(Team, Team.id == model.team_id)
            .join(Membership, Membership.team_id == model.team_id)
            .where(model.id == row_id, Membership.user_id == user.id)
        ).first()
    if row is None:
        raise NotFound(missing)
    found, team, role = row
    return Actor(user, team, Role(role)), found


def find_in_team(model: type[Row], prefix: str, team_id: str, row_id: object, missing: str) -> Row:
    """A row of this team; NotFound for any other (even one of the user's other teams)."""
    found = db.session.get(model, row_id) if is_id(prefix, row_id) else None
    if found is None or found.team_id != team_id:
        raise NotFound(missing)
    return found
