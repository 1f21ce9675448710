"""Changing a team's plan: one rule for the CLI, the Plans page and the billing webhooks.

Upgrading from Free keeps a live trial number as a regular one. A change that leaves the
team holding more than the new plan allows starts its over-limit grace (app.plans.grace):
purchases stop, owners choose what to keep, and the rest is released when it ends. A
subscription that ends (cancelled, unpaid) moves the team to Free the same way. A custom
limit belongs to the plan it was set on: any change of plan clears it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from app import audit, events
from app.accounts.roles import Actor, Permission
from app.accounts.teams import bump_version, check_plan
from app.billing import CHECKOUT_COMPLETED, BillingError, BillingEvent, current_billing
from app.exceptions import BillingFailed
from app.extensions import db
from app.ids import is_id
from app.models import Team, WebhookEvent
from app.numbers.trials import convert_trials
from app.plans.catalog import DEFAULT_PLAN, get_plan
from app.plans.custom_limits import record_custom_limit
from app.plans.grace import review_limit

log = logging.getLogger(__name__)


def change_plan(team: Team, plan: str, actor_id: str | None = None, via: str | None = None) -> Team:
    """Move the team to `plan` (and commit); `via` names the billing provider that said so."""
    check_plan(plan)
    if plan == team.plan:
        db.session.commit()  # whatever else the caller changed on the team
        return team
    before = team.plan
    if team.custom_limit is not None:
        record_custom_limit(team, None, actor_id)
    team.plan = plan
    audit.record(
        team.id,
        actor_id,
        audit.Action.PLAN_CHANGE,
        subject_id=team.id,
        subject=get_plan(plan).name,
        before={"plan": before},
        after={"plan": plan, **({"via": via} if via else {})},
    )
    bump_version(team.id)
    events.emit(
        team.id,
        "plan.changed",
        {"teamId": team.id, "plan": plan, "previousPlan": before, "via": via},
    )
    review_limit(team, actor_id)
    db.session.commit()
    if get_plan(plan).has_subscription:
        convert_trials(team, actor_id)
    return team


@dataclass(frozen=True)
class PlanChoice:
    """What choosing a plan came to: changed already, or go to the provider's page."""

    changed: bool
    redirect_url: str | None = None


def choose_plan(
    actor: Actor, plan: str, *, success_url: str, cancel_url: str, return_url: str
) -> PlanChoice:
    """An owner picks a plan on the Plans page. The sandbox applies it at once; Stripe sends
    the owner to Checkout (no subscription yet) or to its Customer Portal (to change or
    cancel the one they have), and its webhook changes the plan when the payment settles."""
    actor.require(Permission.CHANGE_PLAN)
    check_plan(plan)
    team, billing = actor.team, current_billing()
    if plan == team.plan:
        return PlanChoice(changed=False)
    try:
        if team.billing_subscription_id and team.billing_customer_id:
            return PlanChoice(False, billing.portal_url(team.billing_customer_id, return_url))
        if not get_plan(plan).has_subscription:  # nothing to pay and nothing to cancel
            change_plan(team, plan, actor.user.id)
            return PlanChoice(changed=True)
        checkout = billing.start_checkout(
            team.id, plan, team.billing_customer_id, actor.user.email, success_url, cancel_url
        )
    except BillingError as error:
        raise BillingFailed(f"The plan did not change: {error.message}") from None
    if checkout.changed_now:
        change_plan(team, plan, actor.user.id)
        return PlanChoice(changed=True)
    return PlanChoice(changed=False, redirect_url=checkout.redirect_url)


def billing_portal(actor: Actor, return_url: str) -> str | None:
    """The provider's page for the team's invoices and card, or None when there is none."""
    actor.require(Permission.CHANGE_PLAN)
    if not actor.team.billing_customer_id:
        return None
    try:
        return current_billing().portal_url(actor.team.billing_customer_id, return_url)
    except BillingError as error:
        raise BillingFailed(f"The billing portal did not open: {error.message}") from None


def apply_billing_event(event: BillingEvent, provider: str) -> str:
    """Apply a verified billing event once; returns what came of it (for the log and answer).

    "applied", "duplicate" (seen before), or "ignored" (no team, an old subscription, or an
    event older than the last one applied: Stripe does not promise order).
    """
    if db.session.get(WebhookEvent, (provider, event.event_id)) is not None:
        return "duplicate"
    db.session.add(WebhookEvent(provider=provider, event_id=event.event_id, event_type=event.kind))
    team = _team_for(event)
    if team is None:
        log.warning("billing event %s names no team here; ignored", event.event_id)
    try:
        outcome = _apply(team, event, provider) if team is not None else "ignored"
        db.session.commit()
    except IntegrityError:  # the same event applied by another worker a moment ago
        db.session.rollback()
        return "duplicate"
    return outcome


def _apply(team: Team, event: BillingEvent, provider: str) -> str:
    made = datetime.fromtimestamp(event.created, UTC) if event.created else None
    if made and team.billing_event_at and made < team.billing_event_at:
        return "ignored"
    if event.kind == CHECKOUT_COMPLETED:
        team.billing_customer_id = event.customer_id or team.billing_customer_id
        team.billing_subscription_id = event.subscription_id or team.billing_subscription_id
    elif team.billing_subscription_id not in (None, event.subscription_id):
        return "ignored"  # a subscription the team replaced since: its end changes nothing
    else:
        team.billing_customer_id = team.billing_customer_id or event.customer_id
        ended = event.plan_key == DEFAULT_PLAN
        team.billing_subscription_id = None if ended else event.subscription_id
    team.billing_event_at = made or team.billing_event_at
    if event.plan_key is not None:
        change_plan(team, event.plan_key, None, via=provider)
    return "applied"


def _team_for(event: BillingEvent) -> Team | None:
    if is_id("team", event.team_id) and (team := db.session.get(Team, event.team_id)):
        return team
    if event.customer_id:
        return db.session.scalar(
            sa.select(Team).where(Team.billing_customer_id == event.customer_id)
        )
    return None
