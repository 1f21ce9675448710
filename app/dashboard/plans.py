"""The Plans page: every plan side by side, the team's usage, and (for owners) the change.

Choosing a plan shows what the change would do first (a page of its own: the new price and
limit, the trial number, the numbers over the limit); Confirm applies it. With the sandbox
it applies at once. With Stripe the owner goes to Stripe Checkout or the Customer Portal and
comes back here; Stripe's webhook changes the plan.
"""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import login_required

from app.accounts.roles import Permission
from app.billing import current_billing
from app.billing.plan_changes import billing_portal, choose_plan
from app.dashboard import actor, bp
from app.dashboard.statements import invoices_for_page, statement_list
from app.exceptions import BillingFailed
from app.links import external_url
from app.models import utcnow
from app.plans.catalog import PLANS, get_plan
from app.plans.grace import staying_count
from app.plans.limits import largest_plan, sales_contact, standing
from app.plans.preview import preview_change
from app.plans.rules import usage


@bp.get("/teams/<team_id>/plans")
@login_required
def plans():
    team, now = actor().team, utcnow()
    plan = usage(team, now)
    staying = staying_count(team.id, now)
    invoices, invoices_problem = invoices_for_page(team)
    return render_template(
        "plans/page.html",
        team=team,
        actor=actor(),
        plans=list(PLANS.values()),
        plan=plan,
        # How many numbers each other plan would leave over its limit.
        over_by={p.key: standing(team, now, staying, plan=p).excess for p in PLANS.values()},
        grace_days=current_app.config["OVER_LIMIT_GRACE_DAYS"],
        billing=current_billing(),
        returned=request.args.get("checkout"),
        largest=largest_plan(),
        sales=sales_contact(),
        statements=statement_list(team),
        invoices=invoices,
        invoices_problem=invoices_problem,
    )


@bp.get("/teams/<team_id>/plans/<plan_key>/confirm")
@login_required
def confirm_plan(plan_key: str):
    """What the change would do, with Confirm (the form that applies it) and Back."""
    team = actor().team
    actor().require(Permission.CHANGE_PLAN)
    if plan_key not in PLANS:
        abort(404)
    if plan_key == team.plan:
        flash(f"{team.name} is already on the {get_plan(team.plan).name} plan.", "info")
        return redirect(url_for("dashboard.plans", team_id=team.id), code=303)
    return render_template(
        "plans/confirm.html", team=team, change=preview_change(actor(), plan_key)
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
