"""Sign up (confirmed by email), sign in, sign out."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from app.accounts import two_factor
from app.accounts.signups import confirm_sign_up, pending_sign_up, request_sign_up
from app.accounts.users import authenticate, clean_new_user
from app.auth import begin_session, bp, end_this_session
from app.auth.forms import SignInForm, SignUpForm
from app.auth.two_factor import ask_for_code
from app.exceptions import ValidationFailed
from app.links import LinkInvalid
from app.ratelimit import signin_limit, signup_limit


@bp.route("/signup", methods=["GET", "POST"])
@signup_limit
def signup():
    """The same answer for a new address and one with an account: check your inbox."""
    if current_user.is_authenticated:
        return redirect(url_for("dashboard.index"))
    form = SignUpForm()
    if form.validate_on_submit():
        try:
            email = request_sign_up(
                form.email.data, form.name.data, form.password.data, form.team_name.data or ""
            )
        except ValidationFailed as error:
            _add_errors(form, error.fields)
        else:
            return render_template("auth/check_email.html", email=email)
    elif form.is_submitted():
        # Every problem at once: the service's own checks too, not only the form's.
        try:
            clean_new_user(form.email.data, form.name.data, form.password.data)
        except ValidationFailed as error:
            _add_errors(form, error.fields)
    return render_template("auth/signup.html", form=form), 400 if form.errors else 200


def _add_errors(form: SignUpForm, fields: dict[str, str]) -> None:
    """Each field's message once, beside it (one the form already gave is not repeated)."""
    for name, message in fields.items():
        field = getattr(form, name, form.email)
        if not field.errors:
            field.errors = [*field.errors, message]


@bp.route("/signup/confirm/<token>", methods=["GET", "POST"])
def confirm_email(token: str):
    """GET shows a button, POST makes the account: mail scanners that open links change nothing."""
    try:
        if request.method == "GET":
            pending = pending_sign_up(token)
            return render_template("auth/confirm.html", token=token, email=pending.email)
        user = confirm_sign_up(token)
    except LinkInvalid as invalid:
        return render_template("auth/link_invalid.html", message=invalid.message), 400
    begin_session(user)
    # The plan banner below already states the trial's terms: the welcome says what to do first.
    flash(f"Welcome, {user.name}! Start with the checklist: first, find a number.", "success")
    return redirect(url_for("dashboard.index"))


@bp.route("/signin", methods=["GET", "POST"])
@signin_limit
def signin():
    next_url = safe_next(request.args.get("next"))
    if current_user.is_authenticated:
        return redirect(next_url or url_for("dashboard.index"))
    form = SignInForm()
    error = None
    if form.validate_on_submit():
        user = authenticate(form.email.data, form.password.data)
        if user is not None and two_factor.is_enabled(user):
            return ask_for_code(user, bool(form.remember.data), next_url)
        if user is not None:
            begin_session(user, remember=bool(form.remember.data))
            return redirect(next_url or url_for("dashboard.index"))
        error = "That email and password do not match an account."
    status = 400 if (form.errors or error) else 200
    return render_template("auth/signin.html", form=form, error=error, next=next_url), status


@bp.post("/signout")
@login_required
def signout():
    end_this_session()
    flash("You are signed out.", "info")
    return redirect(url_for("auth.signin"))


def safe_next(target: str | None) -> str | None:
    """`next` only when it is a path on this site: no scheme, no host, no `//` or `\\` tricks."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return None
    if "\\" in target or any(ord(c) < 32 for c in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    return target
