"""The Numbers list beyond its rows: the CSV export, and acting on a selection of numbers.

A selection is reviewed on a page of its own (a GET that changes nothing, listing every chosen
number) and done by that page's POST, so it works the same with and without JavaScript.
"""

from __future__ import annotations

from flask import Response, flash, redirect, render_template, request, url_for
from flask_login import login_required

from app.accounts.roles import Permission
from app.assistants import service as assistants
from app.campaigns import pool as pools
from app.campaigns import service as campaigns
from app.dashboard import actor, bp
from app.dashboard.number_release import SCHEDULED, scheduled_notice
from app.dashboard.numbers import page_filters
from app.exceptions import ValidationFailed
from app.models import utcnow
from app.numbers import bulk
from app.numbers.export import numbers_csv as as_csv
from app.numbers.listing import NumberFilters
from app.numbers.managing import list_number_rows
from app.numbers.releasing import release_time
from app.phone import national

SELECTION = "/teams/<team_id>/numbers/selection"


@bp.get("/teams/<team_id>/numbers.csv")
@login_required
def numbers_csv():
    """Every number the list's filters keep (not only the page shown), as a spreadsheet."""
    team = actor().team
    filters, _errors = page_filters()
    page = list_number_rows(team, None, None, filters)
    return Response(
        as_csv(page.numbers, utcnow()),
        mimetype="text/csv",
        headers={"Content-Disposition": 'attachment; filename="phone-numbers.csv"'},
    )


@bp.get(SELECTION)
@login_required
def review_selection():
    """The one confirmation for a bulk action: what will happen, to which numbers."""
    team = actor().team
    filters, errors = page_filters()
    everything = request.args.get("all") == "matching"  # "Select all N matching"
    if errors and everything:  # the list showed every number, not what was asked for
        flash("Fix the filters first: " + " ".join(errors.values()), "error")
        return _back(filters)
    ids = request.args.getlist("ids")
    try:
        ids = bulk.matching_ids(team, filters) if everything else ids
        if not ids:
            flash("Select at least one number first.", "error")
            return _back(filters)
        action, assistant = _action()
        needed = {
            "release": Permission.RELEASE,
            "campaign": Permission.MANAGE_ASSISTANTS,
            "label": Permission.LABEL,
        }
        actor().require(needed.get(action, Permission.ASSIGN))
        chosen = bulk.selected_numbers(team.id, ids)
    except ValidationFailed as error:  # no action, or too many: back to the list, which says so
        flash(next(iter(error.fields.values())), "error")
        return _back(filters)
    now = utcnow()
    return render_template(
        "numbers/selection.html",
        team=team,
        numbers=chosen,
        action=action,
        assistant=assistant,
        filters=filters,
        now=now,
        release_at=release_time(now),
        campaigns=[c for c, _n in campaigns.list_campaigns(team)] if action == "campaign" else [],
    )


@bp.post(SELECTION)
@login_required
def act_on_selection():
    filters, _errors = page_filters(request.form)
    action, assistant = _action(request.form)
    ids = request.form.getlist("ids")
    if action == "release":
        outcomes = bulk.release_selected(actor(), ids)
        done = [national(o.phone_number) for o in outcomes if o.done and not o.release_after]
        if done:
            flash(f"Released {len(done)}: {', '.join(done)}.", "success")
        if scheduled := [o for o in outcomes if o.release_after]:
            due = min(o.release_after for o in scheduled)  # each is undoable until then
            numbers = [(o.number_id, o.phone_number) for o in scheduled]
            flash(scheduled_notice(due, numbers), SCHEDULED)
        for failed in (o for o in outcomes if not o.done):
            flash(f"{national(failed.phone_number)} was not released: {failed.message}", "error")
    elif action == "campaign":
        if assistant is None:
            flash("Choose the campaign to add them to.", "error")
            return _back(filters)
        count = pools.add_numbers(actor(), assistant, ids[: pools.MAX_NUMBERS])
        flash(f"Added {count} of the {len(set(ids))} selected to {assistant.name}.", "success")
    elif action == "label":
        label = request.form.get("label", "")
        try:
            count = bulk.label_selected(actor(), label, ids)
        except ValidationFailed as error:
            flash(next(iter(error.fields.values())), "error")
            return _back(filters)
        done = f"Labelled the {count} selected “{label.strip()}”."
        flash(done if label.strip() else f"Removed the label from the {count} selected.", "success")
    elif action == "unassign":
        bulk.unassign_selected(actor(), ids)
        flash(f"No assistant answers on the {len(set(ids))} selected now.", "success")
    else:
        count = bulk.assign_selected(actor(), assistant.id, ids)
        flash(f"{assistant.name} now answers on the {count} selected.", "success")
    return _back(filters)


def _action(values=None):
    """The chosen action ("assign", "unassign", "label", "release" or "campaign") and, to
    assign, the assistant (to add to a campaign, the campaign)."""
    chosen = (values if values is not None else request.args).get("action", "")
    if chosen in ("unassign", "release", "label"):
        return chosen, None
    kind, _, assistant_id = chosen.partition(":")
    if chosen == "campaign":  # which one is chosen on the review page
        return "campaign", None
    if kind == "campaign":
        return "campaign", campaigns.team_campaign(actor().team, assistant_id)
    if kind != "assign":
        raise ValidationFailed({"action": "Choose what to do with the selected numbers."})
    return "assign", assistants.team_assistant(actor().team, assistant_id)


def _back(filters: NumberFilters):
    return redirect(url_for("dashboard.numbers", team_id=actor().team.id, **filters.params()))
