"""Deciding on a purchase request: approve (buy it, once) or deny (drop the hold).

Deciding claims the request with one conditional UPDATE (pending → approved or denied), so
two approvers at once, a double click or a resent form decide it once: the loser's UPDATE
finds it decided and buys nothing. The purchase then follows every rule a Buy does under the
team's lock (the plan, the cap), in the name of the member who asked; a refusal marks the
request failed with the reason, and the member is told either way.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm.attributes import set_committed_value

from app import audit
from app.accounts.roles import Actor, Permission
from app.exceptions import (
    Conflict,
    NumberUnavailable,
    PlanLimitReached,
    ProviderFailed,
    ServiceError,
    SpendCapReached,
)
from app.extensions import db
from app.guardrails import notices
from app.guardrails.requests import clean_note, requester_name, team_request
from app.models import HELD, CartItem, PhoneNumber, PurchaseRequest, RequestStatus, utcnow
from app.numbers.purchasing import OnBehalf, purchase_number
from app.numbers.searching import Offer
from app.plans.rules import eligibility, held_count


@dataclass(frozen=True)
class Approval:
    """What approving came to: the request, the number bought and the plan after it.

    `again` is set when the request had been approved already (nothing was bought now)."""

    request: PurchaseRequest
    number: PhoneNumber | None
    eligibility: dict[str, Any]
    again: bool = False


def approve_request(actor: Actor, request_id: object) -> Approval:
    """Buy what the request asks for, once, in the name of the member who asked."""
    actor.require(Permission.APPROVE_PURCHASES)
    request = team_request(actor, request_id)
    now = utcnow()
    if not _decide(request, actor, RequestStatus.APPROVED, now):
        return _approved_already(actor, request, now)
    db.session.commit()  # claimed: another approver's UPDATE now finds it decided
    quote = None
    if request.monthly_price is not None and request.setup_price is not None:
        quote = Offer(
            request.phone_number,
            str(request.monthly_price),
            str(request.setup_price),
            tuple(request.features),
            place=request.place,
        )
    on_behalf = OnBehalf(request.requested_by_id, quote)
    try:
        bought = purchase_number(actor, request.phone_number, request.connection_id, on_behalf)
    except ProviderFailed as error:
        if not error.outcome_unknown:
            _unclaim(request)  # nothing was ordered: it may be approved again
        else:  # the order may exist: the request keeps the number it may have bought
            _settle_approval(actor, request, _held_id(request))
        raise
    except (NumberUnavailable, PlanLimitReached, SpendCapReached) as error:
        _fail(actor, request, error.message)
        raise
    except ServiceError:
        _unclaim(request)
        raise
    _settle_approval(actor, request, bought.number.id)
    return Approval(request, bought.number, bought.eligibility)


def deny_request(actor: Actor, request_id: object, note: object = None) -> PurchaseRequest:
    """Refuse the request and drop its hold; the member is told (with the note, if any)."""
    actor.require(Permission.APPROVE_PURCHASES)
    note = clean_note(note)
    request = team_request(actor, request_id)
    now = utcnow()
    if not _decide(request, actor, RequestStatus.DENIED, now, reason=note):
        state = request.effective_status(now)
        if state == RequestStatus.DENIED:
            return request  # a second click: denied already
        raise Conflict(_state_words(request, state))
    db.session.execute(
        sa.delete(CartItem).where(
            CartItem.team_id == request.team_id, CartItem.phone_number == request.phone_number
        )
    )
    _record(actor, request, audit.Action.REQUEST_DENY, note=note)
    db.session.commit()
    notices.request_decided(request, actor.team, actor.user)
    return request


def _decide(
    request: PurchaseRequest, actor: Actor, status: str, now: datetime, reason: str | None = None
) -> bool:
    """Move a request that is still open to `status`, in one conditional UPDATE: of two
    deciders at once exactly one wins (the caller commits). False, and the request read
    afresh, if it was no longer open."""
    values = {"status": status, "decided_by_id": actor.user.id, "decided_at": now, "reason": reason}
    changed = db.session.execute(
        sa.update(PurchaseRequest)
        .where(PurchaseRequest.id == request.id, PurchaseRequest.open(now))
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    if changed.rowcount != 1:
        db.session.commit()
        db.session.refresh(request)
        return False
    for key, value in values.items():
        set_committed_value(request, key, value)  # what the row now holds; no second write
    return True


def _approved_already(actor: Actor, request: PurchaseRequest, now: datetime) -> Approval:
    """A second approval (another approver, a double click, a resent form) buys nothing."""
    state = request.effective_status(now)
    number = (
        db.session.get(PhoneNumber, request.phone_number_id) if request.phone_number_id else None
    )
    if state != RequestStatus.APPROVED or number is None:
        raise Conflict(_state_words(request, state))
    return Approval(request, number, eligibility(actor.team, held_count(actor.team.id)), again=True)


def _state_words(request: PurchaseRequest, state: str) -> str:
    """Why a request can no longer be decided, in words."""
    number, who = request.phone_number, _decider(request)
    if state == RequestStatus.EXPIRED:
        return f"The hold on {number} has ended, so the request expired: ask again to buy it."
    if state == RequestStatus.DENIED:
        return f"The request for {number} was denied by {who}."
    if state == RequestStatus.FAILED:
        return f"The request for {number} was approved by {who} but not bought: {request.reason}"
    return f"The request for {number} is being approved by {who} right now."


def _settle_approval(actor: Actor, request: PurchaseRequest, number_id: str | None) -> None:
    request.phone_number_id = number_id
    _record(actor, request, audit.Action.REQUEST_APPROVE, phone_number_id=number_id)
    db.session.commit()
    notices.request_decided(request, actor.team, actor.user)


def _fail(actor: Actor, request: PurchaseRequest, reason: str) -> None:
    db.session.rollback()
    db.session.execute(
        sa.update(PurchaseRequest)
        .where(PurchaseRequest.id == request.id)
        .values(status=RequestStatus.FAILED, reason=reason[:300])
    )
    set_committed_value(request, "status", RequestStatus.FAILED)
    set_committed_value(request, "reason", reason[:300])
    _record(actor, request, audit.Action.REQUEST_FAIL, reason=reason[:300])
    db.session.commit()
    notices.request_decided(request, actor.team, actor.user)


def _unclaim(request: PurchaseRequest) -> None:
    """Back to pending: the provider failed before any order was placed."""
    db.session.rollback()
    db.session.execute(
        sa.update(PurchaseRequest)
        .where(PurchaseRequest.id == request.id, PurchaseRequest.status == RequestStatus.APPROVED)
        .values(status=RequestStatus.PENDING, decided_by_id=None, decided_at=None)
    )
    db.session.commit()
    db.session.refresh(request)


def _held_id(request: PurchaseRequest) -> str | None:
    db.session.rollback()
    return db.session.scalar(
        sa.select(PhoneNumber.id).where(
            PhoneNumber.team_id == request.team_id,
            PhoneNumber.phone_number == request.phone_number,
            PhoneNumber.status.in_(HELD),
        )
    )


def _decider(request: PurchaseRequest) -> str:
    person = request.decided_by
    return (person.name or person.email) if person else "someone"


def _record(actor: Actor, request: PurchaseRequest, action: audit.Action, **after: Any) -> None:
    """The decision's line in History: who decided, on whose request, and what came of it."""
    audit.record(
        request.team_id,
        actor.user.id,
        action,
        subject_id=request.id,
        subject=request.phone_number,
        after={"requested_by": requester_name(request), **after},
    )
