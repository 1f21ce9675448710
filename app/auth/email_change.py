"""The link in an email-change message: GET shows a button, POST changes the address (mail
scanners that open links change nothing)."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from app.accounts import email_change
from app.auth import bp
from app.links import LinkInvalid


@bp.route("/account/email/<token>", methods=["GET", "POST"])
def change_email(token: str):
    try:
        if request.method == "GET":
            user, email = email_change.pending_change(token)
            return render_template(
                "auth/email_change.html", token=token, email=email, old=user.email
            )
        user = email_change.apply_email_change(token)
    except LinkInvalid as invalid:
        return render_template("auth/link_invalid.html", message=invalid.message), 400
    flash(f"Your account's email is now {user.email}.", "success")
    if current_user.is_authenticated:
        return redirect(url_for("dashboard.account"))
    return redirect(url_for("auth.signin"))
