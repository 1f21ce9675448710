"""Settings → API tokens: the signed-in user's own tokens; create one (shown once), revoke one."""

from __future__ import annotations

from flask import flash, make_response, redirect, url_for
from flask_login import current_user, login_required

from app.accounts import tokens as service
from app.dashboard import bp, is_htmx, render
from app.dashboard.forms import TokenForm
from app.exceptions import ValidationFailed


@bp.get("/settings/tokens")
@login_required
def tokens():
    return _panel(TokenForm(formdata=None))


@bp.post("/settings/tokens")
@login_required
def create_token():
    form = TokenForm()
    try:
        issued = service.issue_token(current_user, service.clean_token_name(form.name.data))
    except ValidationFailed as error:
        form.name.errors = list(error.fields.values())
        return _panel(form, 400)
    # Rendered, not redirected: the plain token exists only in this answer, never in a cookie.
    response = _panel(TokenForm(formdata=None), created=issued)
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/settings/tokens/<id(tok):token_id>/revoke")
@login_required
def revoke_token(token_id: str):
    token = service.revoke_token(current_user, token_id)  # another user's token: 404
    message = f"Revoked {token.name or token.display_prefix}. The API refuses it from now on."
    if not is_htmx():
        flash(message, "success")
        return redirect(url_for("dashboard.tokens"))
    return _panel(TokenForm(formdata=None), notice=message)


def _panel(form: TokenForm, status: int = 200, created=None, notice: str | None = None):
    body, status = render(
        "settings/tokens.html",
        "settings/_tokens.html",
        status,
        form=form,
        tokens=service.tokens_for_user(current_user),
        created=created,
        notice=notice,
    )
    return make_response(body, status)
