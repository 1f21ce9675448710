"""The Plans page: every plan side by side, the team's usage, and (for owners) the change.

With the sandbox a change applies at once. With Stripe the owner goes to Stripe Checkout
or the Customer Portal and comes back here; Stripe's webhook changes the plan.
"""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import login_required

from app.billing import current_billing
from app.dashboard import actor, bp
from app.exceptions import BillingFailed
from app.links import external_url
from app.plans.catalog import PLANS, get_plan
from app.plans.rules import usage
from app.subscriptions import billing_portal, choose_plan


@bp.get("/teams/<team_id>/plans")
@login_required
def plans():
    team = actor().team
    return render_template(
        "plans/page.html",
        team=team,
        actor=actor(),
        plans=list(PLANS.values()),
        plan=usage(team),
        billing=current_billing(),
        returned=request.args.get("checkout"),
    )


@bp.post("/teams/<team_id>/plans")
@login_required
def choose():
    team = actor().team
    key = request.form.get("plan", "")
    here = external_url("dashboard.plans", team_id=team.id)
    try:
        choice = choose_plan(
            actor(),
            key,
            success_url=f"{here}?checkout=done",
            cancel_url=f"{here}?checkout=cancelled",
            return_url=here,
        )
    except BillingFailed as error:
        flash(error.message, "error")
        return redirect(url_for("dashboard.plans", team_id=team.id), code=303)
    if choice.redirect_url:
        return redirect(choice.redirect_url, code=303)
    if choice.changed:
        flash(f"{team.name} is on the {get_plan(team.plan).name} plan now.", "success")
    else:
        flash(f"{team.name} is already on the {get_plan(team.plan).name} plan.", "info")
    return redirect(url_for("dashboard.plans", team_id=team.id), code=303)


@bp.post("/teams/<team_id>/billing")
@login_required
def billing():
    """Stripe's Customer Portal: invoices, the card, cancelling."""
    team = actor().team
    try:
        url = billing_portal(actor(), external_url("dashboard.plans", team_id=team.id))
    except BillingFailed as error:
        flash(error.message, "error")
    else:
        if url:
            return redirect(url, code=303)
        flash("There is no billing account for this team yet.", "info")
    return redirect(url_for("dashboard.plans", team_id=team.id), code=303)
