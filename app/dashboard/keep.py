"""The Keep page: a team over its limit after a downgrade chooses the numbers to keep.

Everyone in the team sees which numbers stay and which are released at the end of the grace;
owners tick the ones to keep (at most the limit) and save. A plain form: no JavaScript needed.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import flash, g, redirect, render_template, request, url_for
from flask_login import login_required

from app.accounts.roles import Permission
from app.dashboard import actor, bp
from app.exceptions import Conflict, ValidationFailed
from app.models import Team, utcnow
from app.numbers.queries import team_numbers
from app.plans import grace
from app.plans.catalog import Plan
from app.plans.grace import due_for_release, staying_count
from app.plans.limits import Standing, numbers, plan_above, sales_contact, standing


@bp.get("/teams/<team_id>/plans/keep")
@login_required
def keep_numbers():
    return _page()


@bp.post("/teams/<team_id>/plans/keep")
@login_required
def save_kept():
    team = actor().team
    try:
        place = grace.keep_numbers(actor(), request.form.getlist("keep"))
    except ValidationFailed as error:
        return _page(problem=" ".join(error.fields.values()), status=400)
    except Conflict as error:
        flash(error.message, "info")
        return redirect(url_for("dashboard.plans", team_id=team.id), code=303)
    kept = len(set(request.form.getlist("keep")))
    chosen = f"Keeping {numbers(kept)}" if kept else "No number chosen"
    flash(
        f"{chosen}: {place.allowance}. The numbers beyond it are released when the time to "
        "choose ends, unassigned ones first, then the most recently bought.",
        "success",
    )
    return redirect(url_for("dashboard.keep_numbers", team_id=team.id), code=303)


@dataclass(frozen=True)
class GraceNotice:
    """What the over-limit banner on every team page needs."""

    team: Team
    place: Standing
    may_choose: bool
    larger_plan: Plan | None
    sales: str | None


@bp.app_context_processor
def grace_context():
    return {"grace_notice": grace_notice}


def grace_notice() -> GraceNotice | None:
    """The banner for the team this request acts for, while it is over its limit in a grace
    (read once per request, and only for a team with a grace: no query otherwise)."""
    acting = g.get("actor")
    if acting is None or acting.team.grace_ends_at is None:
        return None
    if "grace_notice" not in g:
        team, now = acting.team, utcnow()
        place = standing(team, now, staying_count(team.id, now))
        g.grace_notice = (
            GraceNotice(
                team,
                place,
                acting.can(Permission.CHANGE_PLAN),
                plan_above(place.limit),
                sales_contact(),
            )
            if place.over
            else None
        )
    return g.grace_notice


def _page(problem: str | None = None, status: int = 200):
    team, now = actor().team, utcnow()
    place = standing(team, now, staying_count(team.id, now))
    live = [n for n in team_numbers(team.id) if n.is_live(now)]
    due = {n.id for n in due_for_release(team, now)}
    body = render_template(
        "plans/keep.html",
        team=team,
        actor=actor(),
        place=place,
        numbers=live,
        due=due,
        problem=problem,
    )
    return body, status
