"""The Assistants page: list, create, rename in place, delete after a confirmation.

The panel (create form and list) is one component: creating or deleting answers it whole;
renaming swaps only its row. Without JavaScript every form posts and redirects.
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user, login_required

from app.assistants import service
from app.dashboard import bp
from app.dashboard.forms import AssistantForm
from app.dashboard.htmx import is_htmx, render
from app.dashboard.views import member_team
from app.errors import NotFound, ValidationFailed
from app.models import Assistant, Team

ASSISTANT = "/teams/<team_id>/assistants/<id(asst):assistant_id>"


@bp.get("/teams/<team_id>/assistants")
@login_required
def assistants(team_id: str):
    team = member_team(team_id)
    return _panel(team, AssistantForm(formdata=None))


@bp.post("/teams/<team_id>/assistants")
@login_required
def create_assistant(team_id: str):
    team = member_team(team_id)
    form = AssistantForm()
    try:
        assistant = service.create_assistant(current_user, team.id, form.name.data or "")
    except ValidationFailed as error:
        form.name.errors = list(error.fields.values())
        return _panel(team, form, 400)
    message = f"Created {assistant.name}. Pick it for a number on the Numbers page."
    if not is_htmx():
        flash(message, "success")
        return redirect(url_for("dashboard.assistants", team_id=team.id))
    return _panel(team, AssistantForm(formdata=None), notice=message)


@bp.get(ASSISTANT)
@login_required
def assistant_row(team_id: str, assistant_id: str):
    """The row as listed (what Cancel brings back)."""
    team = member_team(team_id)
    assistant = _assistant(team, assistant_id)
    if not is_htmx():
        return redirect(url_for("dashboard.assistants", team_id=team.id))
    return _row(team, assistant)


@bp.get(ASSISTANT + "/edit")
@login_required
def edit_assistant(team_id: str, assistant_id: str):
    team = member_team(team_id)
    assistant = _assistant(team, assistant_id)
    form = AssistantForm(data={"name": assistant.name})
    return render(
        "assistants/edit.html",
        "assistants/_edit_row.html",
        team=team,
        assistant=assistant,
        form=form,
    )


@bp.post(ASSISTANT)
@login_required
def rename_assistant(team_id: str, assistant_id: str):
    team = member_team(team_id)
    assistant = _assistant(team, assistant_id)
    form = AssistantForm()
    try:
        service.rename_assistant(current_user, assistant.id, form.name.data or "")
    except ValidationFailed as error:
        form.name.errors = list(error.fields.values())
        return render(
            "assistants/edit.html",
            "assistants/_edit_row.html",
            400,
            team=team,
            assistant=assistant,
            form=form,
        )
    if not is_htmx():
        flash(f"Renamed to {assistant.name}.", "success")
        return redirect(url_for("dashboard.assistants", team_id=team.id))
    return _row(team, assistant)


@bp.post(ASSISTANT + "/delete")
@login_required
def delete_assistant(team_id: str, assistant_id: str):
    team = member_team(team_id)
    assistant = _assistant(team, assistant_id)
    name, count = assistant.name, _count(team, assistant)
    service.delete_assistant(current_user, assistant.id)
    message = f"Deleted {name}."
    if count:
        message += f" {count} number{'' if count == 1 else 's'} are now unassigned."
    if not is_htmx():
        flash(message, "success")
        return redirect(url_for("dashboard.assistants", team_id=team.id))
    return _panel(team, AssistantForm(formdata=None), notice=message)


def _panel(team: Team, form: AssistantForm, status: int = 200, notice: str | None = None):
    rows = service.list_assistants(current_user, team.id)
    return render(
        "assistants/page.html",
        "assistants/_panel.html",
        status,
        team=team,
        rows=rows,
        form=form,
        notice=notice,
    )


def _row(team: Team, assistant: Assistant):
    return render_template(
        "assistants/_row.html", team=team, assistant=assistant, count=_count(team, assistant)
    )


def _count(team: Team, assistant: Assistant) -> int:
    """How many numbers it answers on (the service counts them for the list)."""
    counts = {a.id: n for a, n in service.list_assistants(current_user, team.id)}
    return counts.get(assistant.id, 0)


def _assistant(team: Team, assistant_id: str) -> Assistant:
    """An assistant of this team; 404 for any other (even one of the user's other teams)."""
    try:
        assistant = service.assistant_for_user(current_user, assistant_id)
    except NotFound:
        abort(404)
    if assistant.team_id != team.id:
        abort(404)
    return assistant
