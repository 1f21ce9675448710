"""Emails that go once: each is claimed in `sent_notices` in the transaction that queues it.

Two runs at once cannot both queue one (the second claim meets the primary key); once queued,
the mail job delivers it, with retries (app.mail.outgoing), so a failed send needs no new claim.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from app.mail import outgoing
from app.models import Membership, PhoneNumber, Role, SentNotice, Team, User, utcnow


def queue_once(notice: str, subject_id: str, user: User, email_kind: str, **args) -> bool:
    """Claim the notice for this person and queue its email, in one transaction; False when
    another run has (or had) it."""
    db.session.add(
        SentNotice(kind=notice, subject_id=subject_id, user_id=user.id, sent_at=utcnow())
    )
    try:
        outgoing.queue(email_kind, user.email, **args)
    except IntegrityError:  # another run claimed it a moment ago
        db.session.rollback()
        return False
    return True


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
