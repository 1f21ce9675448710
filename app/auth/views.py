"""Sign up, sign in, sign out."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required, login_user, logout_user

from app.accounts.users import authenticate, sign_up
from app.auth import bp
from app.auth.forms import SignInForm, SignUpForm
from app.exceptions import ValidationFailed
from app.plans.catalog import FREE
from app.ratelimit import signin_limit, signup_limit


@bp.route("/signup", methods=["GET", "POST"])
@signup_limit
def signup():
    if current_user.is_authenticated:
        return redirect(url_for("dashboard.index"))
    form = SignUpForm()
    if form.validate_on_submit():
        try:
            user = sign_up(
                form.email.data, form.name.data, form.password.data, form.team_name.data or ""
            )
        except ValidationFailed as error:
            for name, message in error.fields.items():
                getattr(form, name, form.email).errors.append(message)
        else:
            session.clear()  # a fresh session on sign-in: nothing planted before it survives
            login_user(user)
            flash(f"Welcome! Your team is on the {FREE.name} plan: {FREE.trial_terms}.", "success")
            return redirect(url_for("dashboard.index"))
    return render_template("auth/signup.html", form=form), 400 if form.errors else 200


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
        if user is not None:
            session.clear()  # a fresh session on sign-in: nothing planted before it survives
            login_user(user, remember=form.remember.data)
            return redirect(next_url or url_for("dashboard.index"))
        error = "That email and password do not match an account."
    status = 400 if (form.errors or error) else 200
    return render_template("auth/signin.html", form=form, error=error, next=next_url), status


@bp.post("/signout")
@login_required
def signout():
    logout_user()
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
