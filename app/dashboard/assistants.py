"""The Assistants page: list, create, rename in place, delete after a confirmation.

The panel (create form and list) is one component: creating or deleting answers it whole;
renaming swaps only its row. Without JavaScript every form posts and redirects.
"""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_login import login_required

from app.accounts.roles import Permission
from app.assistants import service
from app.dashboard import actor, bp, is_htmx, render
from app.dashboard.forms import AssistantForm
from app.exceptions import ValidationFailed
from app.models import Assistant
from app.routing import answering

bp.add_app_template_global(answering.label, "destination_label")

ASSISTANT = "/teams/<team_id>/assistants/<id(asst):assistant_id>"


@bp.get("/teams/<team_id>/assistants")
@login_required
def assistants():
    return _panel(AssistantForm(formdata=None))


@bp.post("/teams/<team_id>/assistants")
@login_required
def create_assistant():
    form = AssistantForm()
    try:
        assistant = service.create_assistant(actor(), form.name.data or "")
    except ValidationFailed as error:
        form.name.errors = list(error.fields.values())
        return _panel(form, 400)
    return _done(f"Created {assistant.name}. Pick it for a number on the Numbers page.")


@bp.get(ASSISTANT)
@login_required
def assistant_row(assistant_id: str):
    """The row as listed (what Cancel brings back)."""
    assistant = service.team_assistant(actor().team, assistant_id)
    if not is_htmx():
        return redirect(url_for("dashboard.assistants", team_id=actor().team.id))
    return _row(assistant)


@bp.get(ASSISTANT + "/edit")
@login_required
def edit_assistant(assistant_id: str):
    actor().require(Permission.MANAGE_ASSISTANTS)  # the form would only be refused
    assistant = service.team_assistant(actor().team, assistant_id)
    return _edit(assistant, AssistantForm(data={"name": assistant.name}))


@bp.post(ASSISTANT)
@login_required
def rename_assistant(assistant_id: str):
    assistant = service.team_assistant(actor().team, assistant_id)
    form = AssistantForm()
    try:
        service.rename_assistant(actor(), assistant, form.name.data or "")
    except ValidationFailed as error:
        form.name.errors = list(error.fields.values())
        return _edit(assistant, form, 400)
    if not is_htmx():
        flash(f"Renamed to {assistant.name}.", "success")
        return redirect(url_for("dashboard.assistants", team_id=actor().team.id))
    return _row(assistant)


@bp.post(ASSISTANT + "/delete")
@login_required
def delete_assistant(assistant_id: str):
    assistant = service.team_assistant(actor().team, assistant_id)
    name = assistant.name
    count = service.delete_assistant(actor(), assistant)
    message = f"Deleted {name}."
    if count:
        message += f" {count} number{'' if count == 1 else 's'} are now unassigned."
    return _done(message)


def _done(message: str):
    if not is_htmx():
        flash(message, "success")
        return redirect(url_for("dashboard.assistants", team_id=actor().team.id))
    return _panel(AssistantForm(formdata=None), notice=message)


def _panel(form: AssistantForm, status: int = 200, notice: str | None = None):
    return render(
        "assistants/page.html",
        "assistants/_panel.html",
        status,
        team=actor().team,
        actor=actor(),
        rows=service.list_assistants(actor().team),
        destinations=answering.destinations(actor().team.id),
        form=form,
        notice=notice,
    )


def _edit(assistant: Assistant, form: AssistantForm, status: int = 200):
    return render(
        "assistants/edit.html",
        "assistants/_edit_row.html",
        status,
        team=actor().team,
        actor=actor(),
        assistant=assistant,
        form=form,
    )


def _row(assistant: Assistant):
    counts = {a.id: n for a, n in service.list_assistants(actor().team)}
    return render_template(
        "assistants/_row.html",
        team=actor().team,
        actor=actor(),
        assistant=assistant,
        count=counts.get(assistant.id, 0),
        destinations=answering.destinations(actor().team.id),
    )
