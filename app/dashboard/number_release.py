"""Releasing a number from its row, and undoing that: the confirmation, the release (done at
once, or scheduled for the end of the grace window), and Undo while the window runs.

htmx swaps the row and sends the page's news out of band (the plan banner, the notice above
the table); without JavaScript each form redirects back to the table with a flash.
"""

from __future__ import annotations

from datetime import datetime

from flask import flash, make_response, redirect, render_template, url_for
from flask_login import login_required

from app.accounts.roles import Permission
from app.dashboard import actor, bp, is_htmx, render
from app.dashboard.error_pages import provider_failure_sentence
from app.dashboard.numbers import NUMBER, back_to, list_news, row_update
from app.exceptions import NumberUnavailable, PlanLimitReached, ProviderFailed
from app.models import NumberStatus, PhoneNumber, utcnow
from app.numbers import releasing
from app.numbers.listing import NumberFilters
from app.numbers.queries import team_number, team_numbers
from app.phone import national
from app.plans.rules import usage
from app.timefmt import iso

SCHEDULED = "scheduled"  # the flash category of "releases at … — Undo" (templates/_flashes.html)


@bp.get(NUMBER + "/release")
@login_required
def confirm_release(number_id: str):
    """What releasing means for this number, and the button: the row's panel loads it when
    opened (so rows do not each carry it), and without JavaScript it is a page."""
    actor().require(Permission.RELEASE)
    number = team_number(actor().team.id, number_id)
    now = utcnow()
    return render(
        "numbers/release_page.html",
        "numbers/_release_confirm.html",
        team=actor().team,
        number=number,
        now=now,
        release_at=releasing.release_time(now, number),
    )


@bp.post(NUMBER + "/release")
@login_required
def release_number(number_id: str):
    """Give the number back: the row says when (with Undo) or goes, the banner counts again.
    A failure keeps the row, and says why."""
    team = actor().team
    try:
        # Not looked up first: releasing a released number again is a quiet success.
        number = releasing.release_number(actor(), number_id)
    except (NumberUnavailable, ProviderFailed) as error:
        number = team_number(team.id, number_id)
        message = _release_failure(number, error)
        if not is_htmx():
            flash(message, "error")
            return back_to(number)
        return row_update(number, error.status, release_error=message)
    if number.release_scheduled:
        notice = scheduled_notice(number.release_after, [(number.id, number.phone_number)])
        if not is_htmx():
            flash(notice, SCHEDULED)
            return back_to(number)
        return row_update(number, scheduled=notice, **list_news(team))
    message = f"Released {national(number.phone_number)}."
    if not is_htmx():
        flash(message, "success")
        return redirect(url_for("dashboard.numbers", team_id=team.id))
    if not team_numbers(team.id, limit=1):
        # The last one: the table becomes its empty state rather than a table with no rows.
        html = render_template(
            "numbers/_row_update.html",
            team=team,
            actor=actor(),
            numbers=[],
            table=True,
            filters=NumberFilters(),
            filter_errors={},
            released=message,
            **list_news(team),
        )
        response = make_response(html)
        response.headers.update({"HX-Retarget": "#numbers-table", "HX-Reswap": "outerHTML"})
        return response
    return row_update(None, released=message, **list_news(team))


@bp.post(NUMBER + "/undo-release")
@login_required
def undo_release(number_id: str):
    """Bring the number back as it was; if it no longer fits the plan, or the release is under
    way already, the row (or the notice, once the row is gone) says why."""
    team = actor().team
    try:
        undone = releasing.undo_release(actor(), number_id)
    except (PlanLimitReached, NumberUnavailable) as error:
        number = team_number(team.id, number_id, released=True)
        over_plan = isinstance(error, PlanLimitReached)
        if not is_htmx():
            flash(error.message, "plan" if over_plan else "error")
            return redirect(url_for("dashboard.numbers", team_id=team.id))
        if number.status == NumberStatus.RELEASED:  # the row has gone: the notice says it
            return row_update(None, error.status, plan=usage(team), undo_failed=error.message)
        return row_update(
            number, error.status, plan=usage(team), undo_error=error.message, over_plan=over_plan
        )
    message = releasing.back_message(undone, national(undone.number.phone_number))
    if not is_htmx():
        flash(message, "success")
        return back_to(undone.number)
    return row_update(undone.number, undone=message, **list_news(team))


def scheduled_notice(at: datetime, numbers: list[tuple[str, str]]) -> dict:
    """ "Releases at 14:05 — Undo" for these (id, E.164) numbers, as data a flash can carry
    to the next page."""
    return {
        "team_id": actor().team.id,
        "at": iso(at),
        "numbers": [{"id": number_id, "shown": national(e164)} for number_id, e164 in numbers],
    }


def _release_failure(number: PhoneNumber, error: NumberUnavailable | ProviderFailed) -> str:
    if isinstance(error, NumberUnavailable):
        return error.message
    return provider_failure_sentence(
        error,
        f"{national(number.phone_number)} was not released",
        "It is still yours and still answering; try again in a moment.",
    )
