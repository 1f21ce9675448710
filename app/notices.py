"""Emails that go once: each is claimed in `sent_notices` before it is sent.

Two runs at once cannot both send (the second claim meets the primary key), and a send that
fails gives its claim back, so the next run tries again.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from app.models import Membership, PhoneNumber, Role, SentNotice, Team, User, utcnow


def claim(kind: str, subject_id: str, user_id: str) -> bool:
    """Claim the notice; False when another run has (or had) it."""
    db.session.add(SentNotice(kind=kind, subject_id=subject_id, user_id=user_id, sent_at=utcnow()))
    try:
        db.session.commit()
    except IntegrityError:  # another run claimed it a moment ago
        db.session.rollback()
        return False
    return True


def give_back(kind: str, subject_id: str, user_id: str) -> None:
    """The send failed: free the claim for the next run."""
    db.session.execute(
        sa.delete(SentNotice).where(
            SentNotice.kind == kind,
            SentNotice.subject_id == subject_id,
            SentNotice.user_id == user_id,
        )
    )
    db.session.commit()


def not_told(kind: str, subject_id, user_id) -> sa.ColumnElement[bool]:
    """A condition: this notice has not gone to this person (columns or values)."""
    return ~sa.exists().where(
        SentNotice.kind == kind,
        SentNotice.subject_id == subject_id,
        SentNotice.user_id == user_id,
    )


def numbers_to_tell(kind: str, *where: sa.ColumnElement[bool], order: tuple = ()) -> list[tuple]:
    """(number, team, owner) for each number matching `where` and each owner of its team who
    has not had this notice: notices about numbers go to owners (they change the plan)."""
    rows = db.session.execute(
        sa.select(PhoneNumber, Team, User)
        .join(Team, Team.id == PhoneNumber.team_id)
        .join(Membership, Membership.team_id == Team.id)
        .join(User, User.id == Membership.user_id)
        .where(*where, Membership.role == Role.OWNER, not_told(kind, PhoneNumber.id, User.id))
        .order_by(*order, PhoneNumber.id, User.id)
    )
    return [(number, team, user) for number, team, user in rows]
