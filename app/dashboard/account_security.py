"""Account → two-factor sign-in (set up, recovery codes, turn off) and revoking sessions.

Recovery codes are rendered in the answer that made them, never redirected to: they exist
only there (the table keeps hashes), so the answer is marked no-store.
"""

from __future__ import annotations

from flask import flash, make_response, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from app.accounts import sessions, two_factor
from app.accounts.devices import describe_device
from app.auth.forms import DisableTwoFactorForm, TwoFactorCodeForm
from app.auth.views import safe_next
from app.dashboard import bp
from app.exceptions import ValidationFailed


@bp.get("/account/two-factor")
@login_required
def two_factor_page():
    return _page()


@bp.post("/account/two-factor/setup")
@login_required
def start_two_factor():
    try:
        two_factor.start_setup(_user())
    except ValidationFailed as error:
        flash(error.fields["code"], "info")
    return redirect(_here())


@bp.post("/account/two-factor/confirm")
@login_required
def confirm_two_factor():
    form = TwoFactorCodeForm()
    if form.validate():
        user = _user()
        try:
            codes = two_factor.confirm_setup(user, form.code.data)
        except ValidationFailed as error:
            if two_factor.is_enabled(user) or not user.totp_secret:
                # No setup under way, so no code field on the page: say it above it.
                flash(error.fields["code"], "error")
                return _page(status=400)
            form.code.errors = [error.fields["code"]]
        else:
            return _codes(codes, "Two-factor sign-in is on.")
    return _page(form, status=400)


@bp.post("/account/two-factor/recovery-codes")
@login_required
def new_recovery_codes():
    form = DisableTwoFactorForm()
    if form.validate():
        try:
            codes = two_factor.replace_recovery_codes(_user(), form.code.data, form.password.data)
        except ValidationFailed as error:
            form.code.errors = [error.fields["code"]]
        else:
            return _codes(codes, "New recovery codes made: the old ones no longer work.")
    return _page(codes_form=form, status=400)


@bp.post("/account/two-factor/disable")
@login_required
def disable_two_factor():
    form = DisableTwoFactorForm()
    if form.validate():
        try:
            ended = two_factor.disable(_user(), form.code.data, form.password.data)
        except ValidationFailed as error:
            form.code.errors = [error.fields["code"]]
        else:
            plural = "" if ended == 1 else "s"
            others = f" {ended} other session{plural} signed out." if ended else ""
            flash(f"Two-factor sign-in is off.{others}", "info")
            return redirect(url_for("dashboard.account"))
    return _page(disable_form=form, status=400)


@bp.post("/account/sessions/<id(ses):session_id>/revoke")
@login_required
def revoke_session(session_id: str):
    ended = sessions.revoke_session(_user(), session_id, current_user.session_token)  # else 404
    flash(f"Signed out {_device(ended)}. It is asked to sign in again.", "success")
    return redirect(url_for("dashboard.account") + "#sessions")


@bp.post("/account/sessions/revoke-others")
@login_required
def revoke_other_sessions():
    ended = sessions.end_other_sessions(_user(), current_user.session_token)
    flash(f"Signed out {ended} other session{'' if ended == 1 else 's'}.", "success")
    return redirect(url_for("dashboard.account") + "#sessions")


def _device(found) -> str:
    return describe_device(found.user_agent)


def _user():
    return current_user._get_current_object()


def _here() -> str:
    target = safe_next(request.args.get("next"))
    return (
        url_for("dashboard.two_factor_page", next=target)
        if target
        else url_for("dashboard.two_factor_page")
    )


def _codes(codes: list[str], message: str):
    flash(message, "success")
    response = make_response(
        render_template(
            "account/recovery_codes.html",
            codes=codes,
            next=safe_next(request.args.get("next")),
        )
    )
    response.headers["Cache-Control"] = "no-store"
    return response


def _page(code_form=None, *, codes_form=None, disable_form=None, status: int = 200):
    user = _user()
    enabled = two_factor.is_enabled(user)
    pending = not enabled and bool(user.totp_secret)
    uri = two_factor.setup_uri(user) if pending else None
    return render_template(
        "account/two_factor.html",
        enabled=enabled,
        pending=pending,
        secret=user.totp_secret if pending else None,
        qr=two_factor.qr_svg(uri) if uri else None,
        code_form=code_form or TwoFactorCodeForm(formdata=None),
        codes_form=codes_form or DisableTwoFactorForm(formdata=None),
        disable_form=disable_form or DisableTwoFactorForm(formdata=None),
        recovery_left=two_factor.recovery_codes_left(user) if enabled else 0,
        next=safe_next(request.args.get("next")),
    ), status
