"""Emails about purchase requests: to everyone who may approve a new one (not the asker),
and to the member who asked once it is decided.

Queued after the change has committed and delivered by the mail job, with retries
(app.mail.outgoing); each is composed when it is sent, so an approver is not asked about a
request someone else decided meanwhile.
"""

from __future__ import annotations

import logging

import sqlalchemy as sa

from app.accounts.roles import Permission, roles_with
from app.extensions import db
from app.links import external_url
from app.mail import messages, outgoing
from app.mail.sending import Email
from app.models import (
    Membership,
    PhoneNumber,
    PurchaseRequest,
    RequestStatus,
    Team,
    User,
    utcnow,
)
from app.plans.catalog import get_plan

log = logging.getLogger(__name__)
APPROVERS = roles_with(Permission.APPROVE_PURCHASES)
ASKED = "purchase_request"
DECIDED = "request_decided"


def request_made(request: PurchaseRequest, team: Team, asker: User) -> None:
    """Tell the team's owners and admins that a member asked to buy a number."""
    people = db.session.scalars(
        sa.select(User)
        .join(Membership, Membership.user_id == User.id)
        .where(
            Membership.team_id == team.id,
            Membership.role.in_([str(role) for role in APPROVERS]),
            User.id != asker.id,
        )
        .order_by(User.email)
    ).all()
    for person in people:
        outgoing.queue(ASKED, person.email, name=_called(person), request_id=request.id)


@outgoing.composer(ASKED)
def asked_email(to: str, name: str, request_id: str) -> Email | None:
    """The request as it waits now; nothing once it is decided or its hold has ended."""
    request = db.session.get(PurchaseRequest, request_id)
    if request is None or request.status != RequestStatus.PENDING:
        return None
    if request.hold_expires_at <= utcnow():
        return None
    team = db.session.get(Team, request.team_id)
    asker = request.requested_by
    return messages.purchase_request(
        to,
        name,
        _called(asker) if asker else "Someone who has left the team",
        team.name,
        request.phone_number,
        cost_words(request, team),
        request.hold_expires_at,
        _requests_url(team),
    )


def request_decided(request: PurchaseRequest, team: Team, decider: User) -> None:
    """Tell the member who asked what became of the request."""
    asker = request.requested_by
    if asker is None:
        return  # their account is gone
    outgoing.queue(
        DECIDED,
        asker.email,
        name=_called(asker),
        decider=_called(decider),
        request_id=request.id,
    )


@outgoing.composer(DECIDED)
def decided_email(to: str, name: str, decider: str, request_id: str) -> Email | None:
    request = db.session.get(PurchaseRequest, request_id)
    if request is None:
        return None
    team = db.session.get(Team, request.team_id)
    detail = request.reason
    if request.status == RequestStatus.APPROVED:
        number = db.session.get(PhoneNumber, request.phone_number_id or "")
        detail = (
            "It is ready to take calls."
            if number is not None and number.status == "active"
            else "The provider is still completing the order; it shows on Numbers meanwhile."
        )
    return messages.request_decided(
        to,
        name,
        decider,
        team.name,
        request.phone_number,
        request.status,
        detail,
        _requests_url(team),
    )


def cost_words(request: PurchaseRequest, team: Team) -> str:
    """What buying it costs, as the email says it."""
    plan = get_plan(team.plan)
    if plan.trial_length is not None:
        return f"a free trial number ({plan.trial_terms})"
    if request.monthly_price is None or request.setup_price is None:
        return "no price was quoted for it"
    return f"${request.setup_price:,.2f} setup and ${request.monthly_price:,.2f} a month"


def _called(person: User) -> str:
    return person.name or person.email


def _requests_url(team: Team) -> str:
    return external_url("dashboard.purchase_requests", team_id=team.id)
