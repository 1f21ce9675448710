"""Settling: moving a number to where the provider says it stands, and never losing one.

A row whose order may exist at the provider is deleted only when the provider says the
order failed or that it has no such order; a release is done only when the provider says
the number is gone. `sync` settles every row still between states (from cron, several hosts
at once), the order webhook settles one at once, and listing a team's numbers settles a few.
Each write is conditional on the state it was decided from, so two settlers never clash.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.exc import InvalidRequestError
from sqlalchemy.orm.attributes import set_committed_value

from app import audit, events
from app.accounts.team_version import moved_inline
from app.events import payloads
from app.extensions import db
from app.models import ORDERING, SCHEDULED, NumberStatus, PhoneNumber, Team, utcnow
from app.plans.trial_rights import spend_founders_trial
from app.providers import current_provider
from app.providers.base import OrderResult, ProviderError, ProviderNumberUnavailable

log = logging.getLogger(__name__)
DOCUMENTS = "documents"


def settle(number: PhoneNumber, result: OrderResult, *, record_purchase: bool = False) -> str:
    """Apply an order's state to the number: "active", "pending", "reserving" or "gone"."""
    seen = number.status
    if result.status == "failed":
        return _forget(number, seen, result.detail, announce=not record_purchase)
    now = utcnow()
    values: dict = {"provider_order_id": result.order_id or number.provider_order_id}
    if result.status == "active":
        values |= {
            "status": NumberStatus.ACTIVE,
            "provider_number_id": result.provider_number_id,
            "status_reason": None,
            "activated_at": now,
        }
        if number.is_trial and number.trial_expires_at is not None:
            # The trial runs from activation, for as long as it was granted at purchase.
            values["trial_expires_at"] = now + (number.trial_expires_at - number.created_at)
    else:
        values |= {
            "status": NumberStatus.PENDING if values["provider_order_id"] else seen,
            "status_reason": DOCUMENTS if result.documents_required else None,
        }
        if result.deadline is not None:
            values["documents_deadline"] = result.deadline
    if not _update(number, seen, values):
        return number.status  # another settler got there first: its word stands
    # The team's row, locked and read: its version moves in this statement, so the commit
    # adds none (app.accounts.team_version).
    team: dict = moved_inline(number.team_id)
    if result.status == "active" and number.is_trial:
        # The team's one trial is spent by a number that became active, and only by one.
        team["trial_used_at"] = sa.func.coalesce(Team.trial_used_at, now)
    # The same statement says which events the team's webhooks take: a purchase nobody
    # listens to costs no statement more.
    listening = db.session.execute(
        sa.update(Team)
        .where(Team.id == number.team_id)
        .values(**team)
        .returning(Team.webhook_events)
        .execution_options(synchronize_session=False)
    ).scalar()
    if result.status == "active" and number.is_trial:
        spend_founders_trial(number.team_id, now)  # and so is its founder's, once per person
    if record_purchase:
        audit.record(
            number.team_id,
            number.created_by_id,
            audit.Action.PURCHASE,
            subject_id=number.id,
            subject=number.phone_number,
            after={"status": number.public_status(now), "is_trial": number.is_trial},
        )
        status = "active" if result.status == "active" else "pending"
        events.emit(
            number.team_id,
            "number.bought",
            payloads.number(
                number, status=status, isTrial=number.is_trial, boughtBy=number.created_by_id
            ),
            listening=listening or "",
        )
    if result.status == "active":
        events.emit(
            number.team_id,
            "number.active",
            payloads.number(
                number,
                isTrial=number.is_trial,
                trialExpiresAt=payloads.stamp(values.get("trial_expires_at")),
            ),
            listening=listening or "",
        )
    db.session.commit()
    if result.status == "active":
        from app.calls.control import attach  # calls reach our application at the provider

        attach(number)
    return number.status


def settle_from_provider(number: PhoneNumber) -> str:
    """Ask the provider where this number stands and settle it; "unchanged" if it cannot say."""
    provider = current_provider()
    try:
        if number.status == NumberStatus.RELEASING:
            if number.release_scheduled:  # not due, or due for the release sweep: not ours
                return "unchanged"
            return finish_release(number)
        if number.provider_order_id:
            result = provider.check_order(number.provider_order_id, number.phone_number)
        else:
            result = provider.find_order(number.customer_reference, number.phone_number)
            if result is None:
                result = _from_owned(number)
    except ProviderNumberUnavailable as error:
        result = OrderResult("failed", detail=error.message)
    except ProviderError as error:
        log.warning("could not settle %s: %s", number.id, error.message)
        db.session.rollback()
        return "unchanged"
    return settle(number, result)


def start_release(number: PhoneNumber, reason: str) -> bool:
    """Mark an active number releasing (before the provider is asked); False if it moved on."""
    claimed = db.session.execute(
        sa.update(PhoneNumber)
        .where(PhoneNumber.id == number.id, PhoneNumber.status == NumberStatus.ACTIVE)
        .values(status=NumberStatus.RELEASING, status_reason=reason)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    db.session.refresh(number)
    return claimed.rowcount == 1


def finish_release(number: PhoneNumber, actor_id: str | None = None) -> str:
    """Ask the provider to take a releasing number back; "released" once it confirms.

    A definite refusal (a deletion lock, say) puts the number back where it was: active, or
    scheduled for the next release sweep when a person's release had waited out its grace
    window; an answer that never came leaves it releasing, for a retry or `sync` to finish.
    """
    try:
        if number.provider_number_id:
            current_provider().release(number.provider_number_id)
    except ProviderError as error:
        db.session.rollback()
        if not error.outcome_unknown:
            db.session.execute(
                sa.update(PhoneNumber)
                .where(
                    PhoneNumber.id == number.id,
                    PhoneNumber.status == NumberStatus.RELEASING,
                    sa.func.coalesce(PhoneNumber.status_reason, "") != SCHEDULED,
                )
                .values(
                    status=sa.case(
                        (PhoneNumber.release_after.is_(None), NumberStatus.ACTIVE),
                        else_=NumberStatus.RELEASING,
                    ),
                    status_reason=sa.case(
                        (PhoneNumber.release_after.is_(None), None), else_=SCHEDULED
                    ),
                )
            )
            db.session.commit()
            db.session.refresh(number)
        raise
    final = NumberStatus.EXPIRED if number.status_reason == "expire" else NumberStatus.RELEASED
    if not mark_released(number, final, actor_id):
        return "unchanged"  # another run (a sweep on another host, `sync`) settled it first
    return str(final)


def mark_released(
    number: PhoneNumber, final: NumberStatus, actor_id: str | None, now: datetime | None = None
) -> bool:
    """The provider has the number back: keep the row as history, unassigned. The History
    line keeps why it went (a person's release, a trial's end, the over-limit sweep). False
    when the row had already moved on (so each release is counted and recorded once)."""
    before = {"status": "active", "assistant_id": number.assistant_id}
    after = {"status": str(final), "assistant_id": None, "reason": number.status_reason}
    if number.release_after is not None:
        after["scheduled"] = True  # a person's release, done by the sweep after its window
    if not _update(
        number,
        NumberStatus.RELEASING,
        {
            "status": final,
            "status_reason": None,
            "released_at": now or utcnow(),
            "release_after": None,
            "assistant_id": None,
        },
    ):
        return False
    audit.record(
        number.team_id,
        actor_id,
        audit.Action.EXPIRE if final == NumberStatus.EXPIRED else audit.Action.RELEASE,
        subject_id=number.id,
        subject=number.phone_number,
        before=before,
        after=after,
    )
    events.emit(
        number.team_id,
        "number.released",
        payloads.number(
            number,
            status=str(final),
            reason=after["reason"],
            scheduled=bool(after.get("scheduled")),
        ),
    )
    db.session.commit()
    return True


def sync(grace: timedelta) -> tuple[int, int]:
    """Settle every number between states; (settled, looked at).

    A reservation with no order id may be one another process is placing right now, so it
    is only looked at once older than `grace` (then it is a crash or a lost answer).
    """
    cutoff = utcnow() - grace
    between = db.session.scalars(
        sa.select(PhoneNumber)
        .where(
            sa.or_(
                PhoneNumber.status == NumberStatus.PENDING,
                # A release waiting out its grace window is the release sweep's, not ours.
                sa.and_(
                    PhoneNumber.status == NumberStatus.RELEASING,
                    sa.func.coalesce(PhoneNumber.status_reason, "") != SCHEDULED,
                ),
                sa.and_(
                    PhoneNumber.status == NumberStatus.RESERVING,
                    PhoneNumber.created_at < cutoff,
                ),
            )
        )
        .order_by(PhoneNumber.created_at)
    ).all()
    settled = 0
    for number in between:
        before = number.status
        try:
            after = settle_from_provider(number)
        except ProviderError as error:  # a release still unconfirmed: next time
            log.warning("could not settle %s: %s", number.id, error.message)
            db.session.rollback()
            continue
        settled += after not in ("unchanged", before)
    return settled, len(between)


def _from_owned(number: PhoneNumber) -> OrderResult:
    """No order under our reference: the account's own list of numbers is the last word."""
    owned = current_provider().find_owned(number.phone_number)
    if owned is not None and owned.status == "active":
        return OrderResult("active", provider_number_id=owned.id)
    if owned is not None and owned.status == "pending":
        return OrderResult("pending")
    return OrderResult("failed", detail="The provider has no order for it")


def _forget(number: PhoneNumber, seen: str, detail: str, *, announce: bool) -> str:
    """The provider did not sell it: delete the reservation (the history says so)."""
    deleted = db.session.execute(
        sa.delete(PhoneNumber).where(PhoneNumber.id == number.id, PhoneNumber.status == seen)
    )
    if deleted.rowcount == 1 and announce:
        audit.record(
            number.team_id,
            None,
            audit.Action.ORDER_FAILED,
            subject_id=number.id,
            subject=number.phone_number,
            after={"detail": detail},
        )
    db.session.commit()
    return "gone" if deleted.rowcount == 1 else number.status


def _update(number: PhoneNumber, seen: str, values: dict) -> bool:
    """Write `values` if the row is still in state `seen`; refresh the object either way."""
    changed = db.session.execute(
        sa.update(PhoneNumber)
        .where(PhoneNumber.id == number.id, PhoneNumber.status == seen)
        .values(**values)
        .execution_options(synchronize_session=False, team_id=number.team_id)
    )
    if changed.rowcount == 1:
        for key, value in values.items():
            set_committed_value(number, key, value)  # what the row now holds; no second write
        return True
    db.session.commit()
    with contextlib.suppress(InvalidRequestError):  # deleted meanwhile: nothing to refresh
        db.session.refresh(number)
    return False


def settle_order(
    order_id: str | None, customer_reference: str | None, result_for: Callable[[str], OrderResult]
) -> list[tuple[str, str]]:
    """Settle the numbers of one order the provider told us about: what became of each.

    `result_for(phone_number)` is the order's state for that number (from a webhook, say).
    Each number's outcome is "active" (bought), "failed" (not sold: the row is gone),
    "pending" (still on its way), "documents" (waiting for regulatory documents) or, when
    another settler moved the row first, where it stands now.
    """
    keys = [PhoneNumber.provider_order_id == order_id] if order_id else []
    if customer_reference:
        keys.append(PhoneNumber.customer_reference == customer_reference)
    if not keys:
        return []
    numbers = db.session.scalars(
        sa.select(PhoneNumber).where(sa.or_(*keys), PhoneNumber.status.in_(ORDERING))
    ).all()
    outcomes = []
    for number in numbers:
        phone_number = number.phone_number
        result = result_for(phone_number)
        after = settle(number, result)
        if after == "gone":
            after = "failed"
        elif after == NumberStatus.PENDING and result.documents_required:
            after = "documents"
        outcomes.append((phone_number, str(after)))
    return outcomes


SETTLED = ("active", "failed")  # outcomes that end an order's wait
