"""Changing a team's plan: one rule for the CLI, the Plans page and the billing webhooks.

Upgrading from Free keeps a live trial number as a regular one. A change that leaves the
team holding more than the new plan allows starts its over-limit grace (app.plans.grace):
purchases stop, owners choose what to keep, and the rest is released when it ends. A
subscription that ends (cancelled, unpaid) moves the team to Free the same way. A custom
limit belongs to the plan it was set on: any change of plan clears it.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from app import audit, events
from app.accounts.roles import Actor, Permission
from app.accounts.teams import check_plan
from app.billing import BillingError, BillingProvider, Checkout, current_billing
from app.exceptions import BillingFailed
from app.extensions import db
from app.models import Team
from app.numbers.trials import convert_trials
from app.plans.catalog import get_plan
from app.plans.custom_limits import record_custom_limit
from app.plans.grace import review_limit


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
            # Also an unpaid or paused subscription: it is paid or resumed there, never
            # replaced by a second one that would bill alongside it.
            return PlanChoice(False, billing.portal_url(team.billing_customer_id, return_url))
        if not get_plan(plan).has_subscription:  # nothing to pay and nothing to cancel
            change_plan(team, plan, actor.user.id)
            return PlanChoice(changed=True)
        checkout = _one_checkout(actor, plan, billing, success_url, cancel_url)
    except BillingError as error:
        raise BillingFailed(f"The plan did not change: {error.message}") from None
    if checkout.changed_now:
        change_plan(team, plan, actor.user.id)
        return PlanChoice(changed=True)
    return PlanChoice(changed=False, redirect_url=checkout.redirect_url)


def _one_checkout(
    actor: Actor, plan: str, billing: BillingProvider, success_url: str, cancel_url: str
) -> Checkout:
    """A new Checkout Session, and the team's only open one: the one opened before (by this
    owner or another) is expired first, and of two opened at the same moment the one that
    loses the team's column is expired at once, so only one can ever be paid. Stripe is
    called with no lock held; the column's conditional UPDATE decides."""
    team = actor.team
    before = db.session.scalar(sa.select(Team.billing_checkout_id).where(Team.id == team.id))
    db.session.commit()
    if before is not None and billing.expire_checkout(before) == "complete":
        raise BillingFailed(
            "A payment for this team was just made in Stripe Checkout: the plan changes as "
            "soon as Stripe confirms it. Reload this page in a moment."
        )
    checkout = billing.start_checkout(
        team.id, plan, team.billing_customer_id, actor.user.email, success_url, cancel_url
    )
    if checkout.changed_now:
        return checkout
    same = (
        Team.billing_checkout_id.is_(None) if before is None else Team.billing_checkout_id == before
    )
    claimed = db.session.execute(
        sa.update(Team)
        .where(Team.id == team.id, same)
        .values(billing_checkout_id=checkout.session_id)
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.commit()
    if not claimed:
        billing.expire_checkout(checkout.session_id)
        raise BillingFailed(
            "Someone else in this team opened a payment for a plan at the same moment. "
            "Reload this page: if the plan has not changed, choose it again."
        )
    return checkout


def billing_portal(actor: Actor, return_url: str) -> str | None:
    """The provider's page for the team's invoices and card, or None when there is none."""
    actor.require(Permission.CHANGE_PLAN)
    if not actor.team.billing_customer_id:
        return None
    try:
        return current_billing().portal_url(actor.team.billing_customer_id, return_url)
    except BillingError as error:
        raise BillingFailed(f"The billing portal did not open: {error.message}") from None
