"""Purchase requests: a member's Buy that waits for an owner's or admin's approval.

The number is held for the team while it waits (the cart's hold: 30 minutes, or longer with
"Hold longer"), and the request reads expired once the hold ends; owners and admins are
emailed. Deciding on a request is app.guardrails.approvals.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from app import audit, events
from app.accounts.roles import ROLE_PERMISSIONS, Actor, Permission
from app.accounts.sessions import SessionLookup, session_rows
from app.accounts.teams import memberships_query
from app.events import payloads
from app.exceptions import Conflict, NotFound, NumberUnavailable, ValidationFailed
from app.extensions import db
from app.guardrails import notices
from app.guardrails.rules import ApprovalRequired
from app.ids import is_id, new_id
from app.models import (
    CartItem,
    Membership,
    PurchaseRequest,
    RequestStatus,
    Role,
    Team,
    User,
    utcnow,
)
from app.numbers.cart import hold_number, live_holds
from app.numbers.purchasing import Purchase, purchase_number
from app.numbers.searching import Offer
from app.text import one_line
from app.timefmt import readable

MAX_NOTE = 200
LIST_LIMIT = 50
STATUSES = tuple(RequestStatus)


def buy_or_ask(
    actor: Actor, phone_number: str, connection_id: str | None = None, price: Offer | None = None
) -> Purchase | PurchaseRequest:
    """Buy the number, or, where the team's approvals say so, ask for it to be bought.
    `price`: a price fixed before (a server quote), used instead of the latest search's."""
    try:
        return purchase_number(actor, phone_number, connection_id, price=price)
    except ApprovalRequired:
        return ask_approval(actor, phone_number, connection_id, price)


def ask_approval(
    actor: Actor, phone_number: str, connection_id: str | None = None, price: Offer | None = None
) -> PurchaseRequest:
    """Hold the number for the team and ask its owners and admins to approve buying it.

    A number already waiting for approval in the team answers that request again.
    """
    actor.require(Permission.BUY)
    team, now = actor.team, utcnow()
    if (waiting := _open_request(team.id, phone_number, now)) is not None:
        return waiting
    item = _team_hold(team.id, phone_number, now) or _hold(actor, phone_number, price)
    # A request whose hold ended reads expired; written so, it makes way for this one.
    db.session.execute(
        sa.update(PurchaseRequest)
        .where(
            PurchaseRequest.team_id == team.id,
            PurchaseRequest.phone_number == phone_number,
            PurchaseRequest.status == RequestStatus.PENDING,
            PurchaseRequest.hold_expires_at <= now,
        )
        .values(status=RequestStatus.EXPIRED)
    )
    request = PurchaseRequest(
        id=new_id("preq"),  # now, for History's line (a column default waits for the INSERT)
        team_id=team.id,
        phone_number=phone_number,
        place=item.place,
        features=list(item.features),
        monthly_price=item.monthly_price,
        setup_price=item.setup_price,
        connection_id=connection_id,
        requested_by_id=actor.user.id,
        status=RequestStatus.PENDING,
        hold_expires_at=item.expires_at,
        created_at=now,
    )
    db.session.add(request)
    audit.record(
        team.id,
        actor.user.id,
        audit.Action.REQUEST_CREATE,
        subject_id=request.id,
        subject=phone_number,
        after={"held_until": item.expires_at.isoformat()},
    )
    events.emit(team.id, "purchase_request.created", payloads.purchase_request(request))
    try:
        db.session.commit()
    except IntegrityError:  # the same number asked for a moment ago (one pending per number)
        db.session.rollback()
        if (waiting := _open_request(team.id, phone_number, utcnow())) is not None:
            return waiting
        raise Conflict(f"{phone_number} was just asked for; try again.") from None
    notices.request_made(request, team, actor.user)
    return request


def sent_for_approval(request: PurchaseRequest) -> str:
    """What a member is told when a Buy becomes a request."""
    return (
        f"Sent for approval: an owner or admin of the team decides. {request.phone_number} is "
        f"held for the team until {readable(request.hold_expires_at)}; the request expires then."
    )


def requests_by_id(ids: list[str]) -> list[PurchaseRequest]:
    """These requests, in the order given (an order's, say)."""
    found = {
        r.id: r
        for r in db.session.scalars(sa.select(PurchaseRequest).where(PurchaseRequest.id.in_(ids)))
    }
    return [found[i] for i in ids if i in found]


def team_requests(
    actor: Actor, status: str | None = None, limit: int = LIST_LIMIT
) -> list[PurchaseRequest]:
    """The team's requests, newest first: all of them for those who approve, else the
    actor's own. `status` is read as the list shows it (a lapsed request is expired)."""
    now = utcnow()
    query = (
        sa.select(PurchaseRequest)
        .options(joinedload(PurchaseRequest.requested_by), joinedload(PurchaseRequest.decided_by))
        .where(PurchaseRequest.team_id == actor.team.id)
        .order_by(PurchaseRequest.created_at.desc(), PurchaseRequest.id.desc())
        .limit(limit)
    )
    if not actor.can(Permission.APPROVE_PURCHASES):
        query = query.where(PurchaseRequest.requested_by_id == actor.user.id)
    if status == RequestStatus.PENDING:
        query = query.where(PurchaseRequest.open(now))
    elif status == RequestStatus.EXPIRED:
        lapsed = sa.and_(
            PurchaseRequest.status == RequestStatus.PENDING,
            PurchaseRequest.hold_expires_at <= now,
        )
        query = query.where(sa.or_(PurchaseRequest.status == status, lapsed))
    elif status is not None:
        query = query.where(PurchaseRequest.status == status)
    return list(db.session.scalars(query))


def team_request(actor: Actor, request_id: object) -> PurchaseRequest:
    """One of the team's requests (a member sees only their own); NotFound otherwise."""
    request = None
    if is_id("preq", request_id):
        request = db.session.scalar(
            sa.select(PurchaseRequest).where(
                PurchaseRequest.id == request_id, PurchaseRequest.team_id == actor.team.id
            )
        )
    mine = request is not None and request.requested_by_id == actor.user.id
    if request is None or not (mine or actor.can(Permission.APPROVE_PURCHASES)):
        raise NotFound("Purchase request not found.")
    return request


def memberships_with_requests(user: User) -> list[tuple[Team, Role, int]]:
    """The user's teams and roles (app.accounts.teams.memberships_of), each with how many
    purchase requests wait there for them to decide (0 where they may not): one query."""
    rows = db.session.execute(memberships_query(user).add_columns(_decides()))
    return [(team, Role(role), count) for team, role, count in rows]


def signed_in(token: object) -> tuple[SessionLookup, list[tuple[Team, Role, int]]]:
    """The session (app.accounts.sessions.find_session) and its user's
    memberships_with_requests, in one round trip: a page needs both, and the teams carry their
    versions, which the page cache keys on."""
    found, rows = session_rows(
        token,
        lambda lookup: (
            lookup.outerjoin(Membership, Membership.user_id == User.id)
            .outerjoin(Team, Team.id == Membership.team_id)
            .add_columns(Team, Membership.role, _decides())
            .order_by(Team.name, Team.id)
        ),
    )
    teams = [(row[5], Role(row[6]), row[7]) for row in rows if row[5] is not None]
    return found, teams


def _decides() -> sa.ColumnElement[int]:
    """How many open purchase requests wait in the row's team for its member to decide."""
    waiting = (
        sa.select(sa.func.count())
        .where(PurchaseRequest.team_id == Team.id, PurchaseRequest.open(utcnow()))
        .correlate(Team)
        .scalar_subquery()
    )
    approvers = [str(r) for r in Role if Permission.APPROVE_PURCHASES in ROLE_PERMISSIONS[r]]
    return sa.case((Membership.role.in_(approvers), waiting), else_=0)


def clean_note(note: object) -> str | None:
    if note is None:
        return None
    if not isinstance(note, str):
        raise ValidationFailed({"note": "A note must be text."})
    cleaned = one_line(note, "note")
    if max(len(note), len(cleaned)) > MAX_NOTE:
        raise ValidationFailed({"note": f"A note is at most {MAX_NOTE} characters."})
    return cleaned or None


def _open_request(team_id: str, phone_number: str, now: datetime) -> PurchaseRequest | None:
    return db.session.scalar(
        sa.select(PurchaseRequest).where(
            PurchaseRequest.team_id == team_id,
            PurchaseRequest.phone_number == phone_number,
            PurchaseRequest.open(now),
        )
    )


def _team_hold(team_id: str, phone_number: str, now: datetime) -> CartItem | None:
    return db.session.scalar(
        sa.select(CartItem).where(
            CartItem.team_id == team_id,
            CartItem.phone_number == phone_number,
            live_holds(now=now),
        )
    )


def _hold(actor: Actor, phone_number: str, price: Offer | None = None) -> CartItem:
    try:
        return hold_number(actor, phone_number, price)
    except NumberUnavailable:
        # Held for this team a moment ago (a second click): that hold will do.
        if (item := _team_hold(actor.team.id, phone_number, utcnow())) is not None:
            return item
        raise


def requester_name(request: PurchaseRequest) -> str | None:
    person = request.requested_by
    return (person.name or person.email) if person else None
