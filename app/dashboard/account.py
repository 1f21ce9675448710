"""The account page: who you are, a new password, and signing out on every device."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_login import current_user, login_required

from app.accounts import recovery, sessions
from app.auth import begin_session, end_this_session
from app.auth.forms import NewPasswordForm
from app.dashboard import bp
from app.exceptions import ValidationFailed


@bp.get("/account")
@login_required
def account():
    return _page(NewPasswordForm(formdata=None))


@bp.post("/account/password")
@login_required
def change_password():
    form = NewPasswordForm()
    if form.validate():
        user = current_user._get_current_object()
        try:
            recovery.change_password(user, form.current_password.data or "", form.password.data)
        except ValidationFailed as error:
            for name, message in error.fields.items():
                getattr(form, name, form.password).errors.append(message)
        else:
            begin_session(user)  # this browser stays signed in, on a new session
            flash("Password changed. Every other device is signed out.", "success")
            return redirect(url_for("dashboard.account"))
    return _page(form, 400)


@bp.post("/account/sign-out-everywhere")
@login_required
def sign_out_everywhere():
    ended = sessions.end_all_sessions(current_user._get_current_object())
    end_this_session()
    flash(
        f"Signed out on every device ({ended} session{'' if ended == 1 else 's'}). "
        "API tokens keep working: revoke them on the API tokens page.",
        "info",
    )
    return redirect(url_for("auth.signin"))


def _page(form: NewPasswordForm, status: int = 200):
    return render_template(
        "account/page.html",
        form=form,
        session_count=sessions.session_count(current_user),
    ), status
