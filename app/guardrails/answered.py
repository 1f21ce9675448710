"""A member's request answered by a purchase: an owner or admin bought the number straight
away (from the search, or from the cart, where the request's hold sits) while it waited.

The request reads approved, with the number bought and who bought it, so it leaves the
approvers' count and the member is told, rather than staying pending to fail later as
"already held by your team". Approving it afterwards answers "approved" again.
"""

from __future__ import annotations

import sqlalchemy as sa

from app import audit
from app.accounts.roles import Actor
from app.extensions import db
from app.guardrails import notices
from app.models import PhoneNumber, PurchaseRequest, RequestStatus, User, utcnow


def answer_requests(actor: Actor, number: PhoneNumber) -> None:
    """Mark the team's open requests for this number approved by the purchase just made."""
    now = utcnow()
    found = list(
        db.session.scalars(
            sa.select(PurchaseRequest).where(
                PurchaseRequest.team_id == number.team_id,
                PurchaseRequest.phone_number == number.phone_number,
                PurchaseRequest.open(now),
            )
        )
    )
    answered = []
    for request in found:
        # Conditional, as approving is: an approver's claim a moment ago keeps its request.
        changed = db.session.execute(
            sa.update(PurchaseRequest)
            .where(PurchaseRequest.id == request.id, PurchaseRequest.open(now))
            .values(
                status=RequestStatus.APPROVED,
                decided_by_id=actor.user.id,
                decided_at=now,
                phone_number_id=number.id,
            )
            .execution_options(synchronize_session=False)
        )
        if changed.rowcount == 1:
            asker = db.session.get(User, request.requested_by_id or "")
            audit.record(
                request.team_id,
                actor.user.id,
                audit.Action.REQUEST_APPROVE,
                subject_id=request.id,
                subject=request.phone_number,
                after={
                    "requested_by": (asker.name or asker.email) if asker else None,
                    "phone_number_id": number.id,
                    "bought_directly": True,
                },
            )
            answered.append(request)
    db.session.commit()
    for request in answered:
        db.session.refresh(request)
        notices.request_decided(request, actor.team, actor.user)
