"""A billing provider's webhook events applied to teams: each once, in the provider's order,
under the team's row lock.

Stripe delivers events out of order and at once (two workers may hold the deletion and an
older update of one subscription at the same moment), so every event for a team is read,
compared and written while holding the team's row (app.accounts.teams.lock_team): the
later event decides, whichever commits first. A subscription Stripe ended is remembered
(ended_subscriptions), so an update sent in the same second as its deletion cannot bring
it back: the deletion wins ties. A second paying subscription for a team (two checkouts
paid) is cancelled at the provider as soon as it is seen, and what cannot be settled (a
customer that is another team's) is logged at error level and kept for the operator
(billing_issues, `flask billing issues`).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from app.accounts.teams import lock_team
from app.billing import (
    CHECKOUT_COMPLETED,
    CHECKOUT_EXPIRED,
    CHECKOUT_FAILED,
    ENDED_STATUSES,
    SUBSCRIPTION_DELETED,
    BillingError,
    BillingEvent,
    current_billing,
)
from app.billing.plan_changes import change_plan
from app.extensions import db
from app.ids import is_id
from app.models import BillingIssue, EndedSubscription, Team, WebhookEvent
from app.plans.catalog import DEFAULT_PLAN

log = logging.getLogger(__name__)


@dataclass
class _Outcome:
    result: str  # "applied", "ignored", "conflict" or "duplicate_subscription"
    cancel: str | None = None  # a second subscription to cancel once committed
    issue_id: str | None = None


def apply_billing_event(event: BillingEvent, provider: str) -> str:
    """Apply a verified billing event once; returns what came of it (for the log and answer):
    "applied", "duplicate" (seen before), "ignored" (no team, an ended or replaced
    subscription, or older than the last event applied), "conflict" (kept for the
    operator) or "duplicate_subscription" (a second subscription, cancelled)."""
    team_id = _team_id_for(event)
    if team_id is not None:
        lock_team(team_id)  # held until the commit: events for one team apply one at a time
    if db.session.get(WebhookEvent, (provider, event.event_id)) is not None:
        db.session.rollback()
        return "duplicate"
    db.session.add(WebhookEvent(provider=provider, event_id=event.event_id, event_type=event.kind))
    try:
        if team_id is None:
            log.warning("billing event %s names no team here; ignored", event.event_id)
            outcome = _Outcome("ignored")
        else:
            team = db.session.get(Team, team_id, populate_existing=True)
            outcome = _apply(team, event, provider)
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        if db.session.get(WebhookEvent, (provider, event.event_id)) is not None:
            return "duplicate"  # the same event applied by another worker a moment ago
        # A unique key lost to another team at the same moment: the customer.
        _issue(provider, event, team_id, "customer_conflict", _conflict_text(event))
        db.session.add(
            WebhookEvent(provider=provider, event_id=event.event_id, event_type=event.kind)
        )
        db.session.commit()
        return "conflict"
    if outcome.cancel is not None:
        _cancel_duplicate(outcome, provider)
    return outcome.result


def _apply(team: Team, event: BillingEvent, provider: str) -> _Outcome:
    sub = event.subscription_id
    if event.kind == CHECKOUT_EXPIRED:
        _close_checkout(team, event)
        return _Outcome("applied")
    if event.customer_id and _customer_of_another(team, event.customer_id):
        issue = _issue(provider, event, team.id, "customer_conflict", _conflict_text(event))
        return _Outcome("conflict", issue_id=issue.id)
    if event.kind in (CHECKOUT_COMPLETED, CHECKOUT_FAILED):
        _close_checkout(team, event)
    if sub and _ended(provider, sub):
        return _Outcome("ignored")  # Stripe never revives an ended subscription
    if sub and team.billing_subscription_id not in (None, sub):
        if event.plan_key not in (None, DEFAULT_PLAN):
            # Paying for a second subscription: the team keeps the one it has.
            detail = (
                f"Team {team.id} already has subscription {team.billing_subscription_id}; "
                f"{sub} (customer {event.customer_id}) was cancelled as a duplicate."
            )
            issue = _issue(provider, event, team.id, "duplicate_subscription", detail)
            return _Outcome("duplicate_subscription", cancel=sub, issue_id=issue.id)
        return _Outcome("ignored")  # a subscription the team replaced since
    made = datetime.fromtimestamp(event.created, UTC) if event.created else None
    if made and team.billing_event_at and made < team.billing_event_at:
        return _Outcome("ignored")  # older than what the team already knows
    if event.kind == CHECKOUT_FAILED:
        # The bank debit failed: the subscription it made will never start.
        if team.billing_subscription_id == sub and team.billing_status != "active":
            team.billing_subscription_id = None
        team.billing_status = "payment_failed"
    elif event.kind == CHECKOUT_COMPLETED:
        team.billing_customer_id = event.customer_id or team.billing_customer_id
        team.billing_subscription_id = sub or team.billing_subscription_id
        if event.plan_key is not None:
            team.billing_status = "active"
    else:
        ended = event.kind == SUBSCRIPTION_DELETED or event.status in ENDED_STATUSES
        if ended and sub:
            db.session.add(
                EndedSubscription(provider=provider, subscription_id=sub, team_id=team.id)
            )
        team.billing_customer_id = team.billing_customer_id or event.customer_id
        # An unpaid or paused subscription stays the team's: it is paid or resumed in the
        # provider's portal, not replaced by a second one.
        team.billing_subscription_id = None if ended else sub
        team.billing_status = event.status
    team.billing_event_at = made or team.billing_event_at
    if event.plan_key is not None:
        change_plan(team, event.plan_key, None, via=provider)
    return _Outcome("applied")


def _close_checkout(team: Team, event: BillingEvent) -> None:
    if event.checkout_id and team.billing_checkout_id == event.checkout_id:
        team.billing_checkout_id = None


def _ended(provider: str, subscription_id: str) -> bool:
    return db.session.get(EndedSubscription, (provider, subscription_id)) is not None


def _customer_of_another(team: Team, customer_id: str) -> bool:
    if team.billing_customer_id == customer_id:
        return False
    other = sa.select(Team.id).where(Team.billing_customer_id == customer_id, Team.id != team.id)
    return db.session.scalar(other) is not None


def _conflict_text(event: BillingEvent) -> str:
    return (
        f"Customer {event.customer_id} of event {event.event_id} ({event.kind}) belongs to "
        f"another team; nothing was applied. Check the customer in Stripe."
    )


def _issue(
    provider: str, event: BillingEvent, team_id: str | None, kind: str, detail: str
) -> BillingIssue:
    """Keep it for the operator and say it loudly in the log (alerting reads errors)."""
    issue = BillingIssue(
        provider=provider, kind=kind, event_id=event.event_id, team_id=team_id, detail=detail
    )
    db.session.add(issue)
    db.session.flush()
    log.error("billing issue %s (%s): %s", issue.id, kind, detail)
    return issue


def _cancel_duplicate(outcome: _Outcome, provider: str) -> None:
    """Cancel the second subscription now that the event is recorded (no lock held)."""
    try:
        current_billing().cancel_subscription(outcome.cancel)
    except BillingError as error:
        issue = db.session.get(BillingIssue, outcome.issue_id)
        if issue is not None:
            issue.detail = issue.detail.replace(
                "was cancelled", f"could NOT be cancelled ({error.message}): cancel it by hand"
            )
            db.session.commit()
        log.error("could not cancel duplicate subscription %s: %s", outcome.cancel, error.message)


def _team_id_for(event: BillingEvent) -> str | None:
    if is_id("team", event.team_id) and db.session.get(Team, event.team_id) is not None:
        return event.team_id
    if event.customer_id:
        return db.session.scalar(
            sa.select(Team.id).where(Team.billing_customer_id == event.customer_id)
        )
    return None


def recent_issues(limit: int = 50) -> list[BillingIssue]:
    """The billing issues kept for the operator, newest first."""
    query = sa.select(BillingIssue).order_by(BillingIssue.created_at.desc()).limit(limit)
    return list(db.session.scalars(query))
