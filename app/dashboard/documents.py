"""A regulated order's documents page: what the provider asks for and by when, a form to give
it (files, an address, texts), and cancelling the order instead. Plain forms: a file upload
and a cancellation each post and redirect, with or without JavaScript."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import login_required

from app.accounts.roles import Permission
from app.dashboard import actor, bp
from app.dashboard.error_pages import provider_failure_sentence
from app.dashboard.numbers import NUMBER, back_to
from app.exceptions import Conflict, ProviderFailed, ValidationFailed
from app.models import utcnow
from app.numbers.documents import (
    ADDRESS_FIELDS,
    MAX_DOCUMENT,
    Answers,
    Upload,
    cancel_order,
    documents_needed,
    provide_documents,
)
from app.phone import national

# The whole request may carry a few documents; everything else keeps the app's small limit.
MAX_UPLOAD = 4 * MAX_DOCUMENT


@bp.url_value_preprocessor
def _allow_uploads(endpoint: str | None, values: dict | None) -> None:
    # Runs before any before_request (CSRF reads the form there), so the larger limit
    # applies when the form is first parsed, and only on this one form.
    if endpoint == "dashboard.provide_documents" and request.method == "POST":
        request.max_content_length = MAX_UPLOAD


@bp.get(NUMBER + "/documents")
@login_required
def documents(number_id: str):
    actor().require(Permission.BUY)
    try:
        needed = documents_needed(actor(), number_id)
    except Conflict as error:
        flash(error.message, "error")
        return redirect(url_for("dashboard.numbers", team_id=actor().team.id))
    return _page(needed, {}, 200)


@bp.post(NUMBER + "/documents", endpoint="provide_documents")
@login_required
def provide_documents_view(number_id: str):
    actor().require(Permission.BUY)
    answers = _answers()
    try:
        number = provide_documents(actor(), number_id, answers)
    except ValidationFailed as error:
        return _page(documents_needed(actor(), number_id), error.fields, 400)
    except ProviderFailed as failure:
        flash(provider_failure_sentence(failure, "The documents were not sent"), "error")
        return redirect(request.url, code=303)
    except Conflict as error:
        flash(error.message, "error")
        return redirect(url_for("dashboard.numbers", team_id=actor().team.id), code=303)
    if number is None or number.status != "active":
        flash(
            "Documents sent: the provider reviews them and completes the order once it approves.",
            "success",
        )
    else:
        flash(f"Documents approved: {national(number.phone_number)} is yours.", "success")
    if number is None:
        return redirect(url_for("dashboard.numbers", team_id=actor().team.id), code=303)
    return back_to(number)


@bp.post(NUMBER + "/cancel-order")
@login_required
def cancel_pending_order(number_id: str):
    team = actor().team
    try:
        phone_number = cancel_order(actor(), number_id)
    except ProviderFailed as failure:
        flash(provider_failure_sentence(failure, "The order was not cancelled"), "error")
        return redirect(url_for("dashboard.numbers", team_id=team.id), code=303)
    except Conflict as error:
        flash(error.message, "error")
        return redirect(url_for("dashboard.numbers", team_id=team.id), code=303)
    flash(
        f"The order for {national(phone_number)} is cancelled: nothing was bought, and its "
        "place on your plan is free again.",
        "success",
    )
    return redirect(url_for("dashboard.numbers", team_id=team.id), code=303)


def _answers() -> Answers:
    answers = Answers()
    for name, stored in request.files.items(multi=True):
        try:
            if name.startswith("file-") and stored.filename:
                answers.files[name[5:]] = Upload(stored.filename, stored.read(MAX_DOCUMENT + 1))
        finally:
            stored.close()  # a large upload is a temporary file: closed once read
    for name, value in request.form.items():
        if name.startswith("text-"):
            answers.texts[name[5:]] = value
        elif name.startswith("address-"):
            key, _, part = name[8:].rpartition("-")
            if part in ADDRESS_FIELDS:
                answers.addresses.setdefault(key, {})[part] = value
    return answers


def _page(needed, errors: dict[str, str], status: int):
    return render_template(
        "numbers/documents_page.html",
        team=actor().team,
        number=needed.number,
        needed=needed,
        errors=errors,
        form=request.form,
        address_fields=ADDRESS_FIELDS,
        now=utcnow(),
    ), status
