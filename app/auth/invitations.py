"""Following an invitation link: join now if signed in as the invited address, sign in to
join if that address has an account, or make the account here (the link proves the address).
"""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_login import current_user, login_required

from app.accounts import invitations
from app.accounts.users import authenticate, user_by_email
from app.auth import begin_session, bp
from app.auth.forms import InvitedSignInForm, InvitedSignUpForm
from app.exceptions import ValidationFailed
from app.links import LinkInvalid
from app.models import Invitation
from app.ratelimit import signin_limit, signup_limit


@bp.get("/invitations/<token>")
def invitation(token: str):
    try:
        found = invitations.invitation_for(token)
    except LinkInvalid as invalid:
        return _invalid(invalid)
    return _page(found, token)


@bp.post("/invitations/<token>/accept")
@login_required
def accept_invitation(token: str):
    try:
        accepted = invitations.accept(token, current_user)
    except LinkInvalid as invalid:
        return _invalid(invalid)
    return _joined(accepted)


@bp.post("/invitations/<token>/signin")
@signin_limit
def invitation_signin(token: str):
    try:
        found = invitations.invitation_for(token)
    except LinkInvalid as invalid:
        return _invalid(invalid)
    form = InvitedSignInForm()
    if form.validate_on_submit():
        user = authenticate(found.email, form.password.data)
        if user is None:
            form.password.errors.append("That is not the password of this account.")
        else:
            begin_session(user)
            try:
                accepted = invitations.accept(token, user)
            except LinkInvalid as invalid:
                return _invalid(invalid)
            return _joined(accepted)
    return _page(found, token, signin_form=form, status=400)


@bp.post("/invitations/<token>/signup")
@signup_limit
def invitation_signup(token: str):
    try:
        found = invitations.invitation_for(token)
    except LinkInvalid as invalid:
        return _invalid(invalid)
    form = InvitedSignUpForm()
    if form.validate_on_submit():
        try:
            user = invitations.sign_up_and_accept(token, form.name.data, form.password.data)
        except ValidationFailed as error:
            for name, message in error.fields.items():
                getattr(form, name, form.password).errors.append(message)
        except LinkInvalid as invalid:
            return _invalid(invalid)
        else:
            begin_session(user)
            return _joined(found)
    return _page(found, token, signup_form=form, status=400)


def _page(found: Invitation, token: str, signin_form=None, signup_form=None, status: int = 200):
    signed_in = current_user.is_authenticated
    has_account = not signed_in and user_by_email(found.email) is not None
    return render_template(
        "auth/invitation.html",
        invitation=found,
        token=token,
        signed_in_as_invited=signed_in and current_user.email == found.email,
        has_account=has_account,
        signin_form=signin_form or InvitedSignInForm(formdata=None),
        signup_form=signup_form or InvitedSignUpForm(formdata=None),
    ), status


def _joined(accepted: Invitation):
    flash(f"You joined {accepted.team.name} as {accepted.role}.", "success")
    return redirect(url_for("dashboard.numbers", team_id=accepted.team_id))


def _invalid(invalid: LinkInvalid):
    return render_template("auth/link_invalid.html", message=invalid.message), 400
