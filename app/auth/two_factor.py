"""Sign-in's second step: after the password, a code from the authenticator app.

The password step leaves only a note in the (signed) session cookie: whose password was
right, when, and a stamp of that password; nobody is signed in until a code passes. The note
lasts five minutes and stops working if the password changes meanwhile.
"""

from __future__ import annotations

import time

from flask import flash, redirect, render_template, session, url_for

from app import links
from app.accounts import two_factor
from app.auth import begin_session, bp
from app.auth.forms import TwoFactorCodeForm
from app.exceptions import ValidationFailed
from app.extensions import db
from app.ids import is_id
from app.models import User
from app.ratelimit import signin_limit

PENDING = "two_factor_pending"
PENDING_SECONDS = 300


def ask_for_code(user: User, remember: bool, next_url: str | None):
    """The password was right and the account has two-factor on: ask for the code."""
    session.clear()  # nothing planted before survives into the signed-in session
    session[PENDING] = {
        "u": user.id,
        "p": links.stamp(user.password_hash),
        "r": bool(remember),
        "n": next_url,
        "t": int(time.time()),
    }
    return redirect(url_for("auth.two_factor_signin"))


def _pending_user() -> tuple[User | None, dict]:
    note = session.get(PENDING)
    if not isinstance(note, dict) or time.time() - note.get("t", 0) > PENDING_SECONDS:
        return None, {}
    user = db.session.get(User, note.get("u")) if is_id("usr", note.get("u")) else None
    if user is None or note.get("p") != links.stamp(user.password_hash):
        return None, {}
    return (user if two_factor.is_enabled(user) else None), note


@bp.route("/signin/code", methods=["GET", "POST"])
@signin_limit
def two_factor_signin():
    user, note = _pending_user()
    if user is None:
        session.pop(PENDING, None)
        flash("Sign in again: the code step waits five minutes at most.", "info")
        return redirect(url_for("auth.signin"))
    form = TwoFactorCodeForm()
    if form.validate_on_submit():
        try:
            passed = two_factor.verify(user, form.code.data)
        except ValidationFailed as error:
            form.code.errors.append(error.fields["code"])
        else:
            if passed:
                begin_session(user, remember=note.get("r", False))
                return redirect(note.get("n") or url_for("dashboard.index"))
            form.code.errors.append(two_factor.WRONG_CODE)
    status = 400 if form.errors else 200
    return render_template("auth/two_factor.html", form=form, email=user.email), status
