"""Settings → API tokens: the signed-in user's own tokens; create one with its scopes (shown
once), revoke one."""

from __future__ import annotations

from flask import flash, make_response, redirect, url_for
from flask_login import current_user, login_required

from app.accounts import tokens as service
from app.accounts.scopes import NUMBERS_READ, SCOPES, chosen_scopes
from app.dashboard import bp, is_htmx, render
from app.dashboard.forms import TokenForm
from app.exceptions import ValidationFailed
from app.models import utcnow

# Ticked on a new form: reading only. A token is pasted into config files and CI settings,
# where it leaks more easily than a session, so what it may spend or delete is chosen, not
# inherited (the CLI, for scripts, defaults to every scope the user's roles allow).
DEFAULT_SCOPES = [NUMBERS_READ.name]


@bp.get("/settings/tokens")
@login_required
def tokens():
    return _panel(_blank_form())


@bp.post("/settings/tokens")
@login_required
def create_token():
    form = _offering(TokenForm())
    try:
        issued = service.issue_token(
            current_user,
            service.clean_token_name(form.name.data),
            scopes=form.scopes.data,
            expires_in_days=service.clean_expiry(form.expires.data),
        )
    except ValidationFailed as error:
        problems = {**_scope_problems(form), **error.fields}  # every field's problem at once
        for name, message in problems.items():
            form[name].errors = [message]
        return _panel(form, 400)
    # Rendered, not redirected: the plain token exists only in this answer, never in a cookie.
    response = _panel(_blank_form(), created=issued)
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
    return _panel(_blank_form(), notice=message)


def _blank_form() -> TokenForm:
    return _offering(TokenForm(formdata=None, data={"scopes": DEFAULT_SCOPES}))


def _offering(form: TokenForm) -> TokenForm:
    """The form with a checkbox for each scope the user's roles allow, and only those."""
    form.scopes.choices = [(scope.name, scope.name) for scope in service.grantable_to(current_user)]
    return form


def _scope_problems(form: TokenForm) -> dict[str, str]:
    # The name is checked first: when it fails, the scopes and expiry are checked too, to say
    # every problem at once.
    problems: dict[str, str] = {}
    for check in (
        lambda: chosen_scopes(form.scopes.data or [], service.roles_of(current_user)),
        lambda: service.clean_expiry(form.expires.data),
    ):
        try:
            check()
        except ValidationFailed as error:
            problems.update(error.fields)
    return problems


def _panel(form: TokenForm, status: int = 200, created=None, notice: str | None = None):
    offered = {value for value, _label in form.scopes.choices}
    body, status = render(
        "settings/tokens.html",
        "settings/_tokens.html",
        status,
        form=form,
        tokens=service.tokens_for_user(current_user),
        scopes=SCOPES,
        withheld=[scope for scope in SCOPES.values() if scope.name not in offered],
        created=created,
        notice=notice,
        now=utcnow(),
    )
    return make_response(body, status)
