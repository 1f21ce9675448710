"""Emails about purchase requests: to everyone who may approve a new one (not the asker),
and to the member who asked once it is decided.

Sent after the change has committed. A send that fails is logged and changes nothing: the
Requests page and the header's badge say the same thing.
"""

from __future__ import annotations

import logging

import sqlalchemy as sa

from app.extensions import db
from app.links import external_url
from app.mail import MailError
from app.mail.messages import send_purchase_request, send_request_decided
from app.models import Membership, PhoneNumber, PurchaseRequest, Role, Team, User
from app.plans.catalog import get_plan

log = logging.getLogger(__name__)
APPROVERS = (Role.OWNER, Role.ADMIN)  # app.accounts.roles: APPROVE_PURCHASES


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
    url = _requests_url(team)
    for person in people:
        _send(
            send_purchase_request,
            person.email,
            _called(person),
            _called(asker),
            team.name,
            request.phone_number,
            cost_words(request, team),
            request.hold_expires_at,
            url,
        )


def request_decided(request: PurchaseRequest, team: Team, decider: User) -> None:
    """Tell the member who asked what became of the request."""
    asker = request.requested_by
    if asker is None:
        return  # their account is gone
    detail = request.reason
    if request.status == "approved":
        number = db.session.get(PhoneNumber, request.phone_number_id or "")
        detail = (
            "It is ready to take calls."
            if number is not None and number.status == "active"
            else "The provider is still completing the order; it shows on Numbers meanwhile."
        )
    _send(
        send_request_decided,
        asker.email,
        _called(asker),
        _called(decider),
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


def _send(message, to: str, *args) -> None:
    try:
        message(to, *args)
    except MailError:  # logged where it failed; the request stands either way
        log.warning("purchase request notice to %s not sent", to)


def _called(person: User) -> str:
    return person.name or person.email


def _requests_url(team: Team) -> str:
    return external_url("dashboard.purchase_requests", team_id=team.id)
