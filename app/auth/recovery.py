"""Forgot password → an emailed link (an hour, once) → a new password, every session ended."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for

from app.accounts import recovery
from app.auth import bp, end_this_session
from app.auth.forms import ForgotPasswordForm, NewPasswordForm
from app.exceptions import ValidationFailed
from app.links import LinkInvalid
from app.ratelimit import signup_limit


@bp.route("/forgot-password", methods=["GET", "POST"])
@signup_limit
def forgot_password():
    """The same answer whether or not the address has an account."""
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        recovery.request_reset(form.email.data)
        return render_template("auth/reset_sent.html", email=form.email.data.strip())
    return render_template("auth/forgot.html", form=form), 400 if form.errors else 200


@bp.route("/reset-password/<token>", methods=["GET", "POST"])
def reset_password(token: str):
    try:
        user = recovery.user_for_reset(token)
    except LinkInvalid as invalid:
        return render_template("auth/link_invalid.html", message=invalid.message, reset=True), 400
    form = NewPasswordForm()
    if request.method == "POST" and form.validate():
        try:
            recovery.reset_password(token, form.password.data)
        except ValidationFailed as error:
            form.password.errors = list(error.fields.values())
        except LinkInvalid as invalid:  # used by another tab a moment ago
            return render_template(
                "auth/link_invalid.html", message=invalid.message, reset=True
            ), 400
        else:
            end_this_session()
            flash(
                "Your password is changed and you are signed out everywhere. "
                "Sign in with the new password.",
                "success",
            )
            return redirect(url_for("auth.signin"))
    status = 400 if form.errors else 200
    return render_template("auth/reset.html", form=form, email=user.email, token=token), status
