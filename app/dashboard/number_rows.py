"""One row of the numbers table: its assistant, its label, releasing it.

htmx swaps the row (or the label inside it) in place; without JavaScript each form is a plain
POST that redirects back to the table with a flash. The rules stay in the services.
"""

from __future__ import annotations

from flask import abort, flash, make_response, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from app.assistants import service as assistants
from app.dashboard import bp, present
from app.dashboard.filters import national
from app.dashboard.forms import LabelForm
from app.dashboard.htmx import is_htmx, render
from app.dashboard.views import member_team
from app.errors import (
    NotFound,
    NumberUnavailable,
    ProviderFailed,
    ProviderTimedOut,
    ValidationFailed,
)
from app.models import PhoneNumber, Team, utcnow
from app.numbers import lifecycle
from app.numbers.queries import team_numbers

NUMBER = "/teams/<team_id>/numbers/<id(pn):number_id>"
RELEASE_STATUS = {NumberUnavailable: 409, ProviderFailed: 502, ProviderTimedOut: 504}


@bp.post(NUMBER + "/assistant")
@login_required
def assign_number(team_id: str, number_id: str):
    """The row's picker: an assistant's id assigns the number to it, an empty value unassigns."""
    team = member_team(team_id)
    number = _number(team, number_id)
    chosen = request.form.get("assistant_id", "")
    try:
        if chosen:
            assistant = assistants.assign_numbers(current_user, chosen, [number.id])
            message = f"{assistant.name} now answers on {national(number.phone_number)}."
        else:
            if number.assistant_id:
                assistants.unassign_number(current_user, number.assistant_id, number.id)
            message = f"No assistant answers on {national(number.phone_number)} now."
    except NotFound:
        abort(404)  # an assistant of another team, or one deleted meanwhile
    if not is_htmx():
        flash(message, "success")
        return _back_to(number)
    return _row_update(team, number, notice=message)


@bp.get(NUMBER + "/label")
@login_required
def number_label(team_id: str, number_id: str):
    """The label as shown in the row (what Cancel brings back)."""
    team = member_team(team_id)
    number = _number(team, number_id)
    if not is_htmx():
        return _back_to(number)
    return render_template("numbers/_label.html", team=team, number=number)


@bp.get(NUMBER + "/label/edit")
@login_required
def edit_label(team_id: str, number_id: str):
    team = member_team(team_id)
    number = _number(team, number_id)
    form = LabelForm(data={"label": number.label or ""})
    return render(
        "numbers/label_page.html", "numbers/_label_form.html", team=team, number=number, form=form
    )


@bp.post(NUMBER + "/label")
@login_required
def save_label(team_id: str, number_id: str):
    team = member_team(team_id)
    number = _number(team, number_id)
    form = LabelForm()
    try:
        lifecycle.set_label(current_user, team.id, number.id, form.label.data or "")
    except ValidationFailed as error:
        form.label.errors = list(error.fields.values())
        return render(
            "numbers/label_page.html",
            "numbers/_label_form.html",
            400,
            team=team,
            number=number,
            form=form,
        )
    if not is_htmx():
        pretty = national(number.phone_number)
        flash(f"Label saved for {pretty}." if number.label else f"Label removed from {pretty}.")
        return _back_to(number)
    return render_template("numbers/_label.html", team=team, number=number)


@bp.post(NUMBER + "/release")
@login_required
def release_number(team_id: str, number_id: str):
    """Give the number back; the row goes, the banner counts again. A failure keeps the row."""
    team = member_team(team_id)
    try:
        # Not looked up first: releasing a released number again is a quiet success.
        number = lifecycle.release_number(current_user, team.id, number_id)
    except NotFound:
        abort(404)
    except tuple(RELEASE_STATUS) as error:
        status = next(code for kind, code in RELEASE_STATUS.items() if isinstance(error, kind))
        number = _number(team, number_id)
        message = _release_failure(number, error)
        if not is_htmx():
            flash(message, "error")
            return _back_to(number)
        return _row_update(team, number, status, release_error=message)
    message = f"Released {national(number.phone_number)}."
    if not is_htmx():
        flash(message, "success")
        return redirect(url_for("dashboard.numbers", team_id=team.id))
    plan = present.plan_status(team)
    if not team_numbers(team.id, limit=1):
        # The last one: the table becomes its empty state rather than a table with no rows.
        html = render_template(
            "numbers/_row_update.html",
            team=team,
            numbers=[],
            table=True,
            plan=plan,
            notice=message,
        )
        response = make_response(html)
        response.headers.update({"HX-Retarget": "#numbers-table", "HX-Reswap": "outerHTML"})
        return response
    return _row_update(team, None, plan=plan, notice=message)


def _release_failure(number: PhoneNumber, error: Exception) -> str:
    pretty = national(number.phone_number)
    if isinstance(error, NumberUnavailable):
        return str(error)
    return (
        f"{pretty} was not released: the telephony provider failed ({error}). "
        "It is still yours and still answering; try again in a moment."
    )


def _number(team: Team, number_id: str) -> PhoneNumber:
    try:
        return lifecycle.number_for_team(current_user, team.id, number_id)
    except NotFound:
        abort(404)


def _row_update(team: Team, number: PhoneNumber | None, status: int = 200, **extra):
    """The row again (or nothing, once released), with out-of-band news for the page."""
    html = render_template(
        "numbers/_row_update.html",
        team=team,
        number=number,
        assistants=present.assistant_choices(current_user, team),
        now=utcnow(),
        **extra,
    )
    return make_response(html, status)


def _back_to(number: PhoneNumber):
    url = url_for("dashboard.numbers", team_id=number.team_id)
    return redirect(f"{url}#number-{number.id}")
