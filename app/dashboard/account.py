"""The account page: your name and email, a new password, two-factor sign-in and the devices
signed in (app.dashboard.account_security holds those last two's actions)."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_login import current_user, login_required

from app.accounts import email_change, recovery, sessions, two_factor
from app.accounts.devices import describe_device
from app.auth import begin_session, end_this_session
from app.auth.forms import EmailChangeForm, NameForm, NewPasswordForm
from app.dashboard import bp
from app.exceptions import ValidationFailed


@bp.get("/account")
@login_required
def account():
    return account_page()


@bp.post("/account/name")
@login_required
def change_name():
    form = NameForm()
    if form.validate():
        try:
            email_change.rename(current_user._get_current_object(), form.name.data)
        except ValidationFailed as error:
            form.name.errors = list(error.fields.values())
        else:
            flash("Name saved.", "success")
            return redirect(url_for("dashboard.account"))
    return account_page(name_form=form, status=400)


@bp.post("/account/email")
@login_required
def request_email_change():
    form = EmailChangeForm()
    if form.validate():
        try:
            new = email_change.request_email_change(
                current_user._get_current_object(), form.email.data, form.password.data
            )
        except ValidationFailed as error:
            for name, message in error.fields.items():
                getattr(form, name, form.email).errors = [message]
        else:
            flash(
                f"We sent a link to {new}: your email changes when you follow it. "
                f"Until then you sign in with {current_user.email}.",
                "success",
            )
            return redirect(url_for("dashboard.account"))
    return account_page(email_form=form, status=400)


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
    return account_page(password_form=form, status=400)


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


def account_page(status: int = 200, *, name_form=None, email_form=None, password_form=None):
    user = current_user._get_current_object()
    token = user.session_token
    listed = [
        (found, describe_device(found.user_agent), sessions.is_current(found, token))
        for found in sessions.live_sessions(user)
    ]
    return render_template(
        "account/page.html",
        form=password_form or NewPasswordForm(formdata=None),
        name_form=name_form or NameForm(formdata=None, data={"name": user.name}),
        email_form=email_form or EmailChangeForm(formdata=None),
        sessions=listed,
        session_count=len(listed),
        two_factor_on=two_factor.is_enabled(user),
        recovery_left=two_factor.recovery_codes_left(user) if two_factor.is_enabled(user) else 0,
    ), status
